/**
 * The document's training settings (dataset, optimiser, learning rate, schedule, batch size,
 * epochs…) as a form generated from the training schema. Every committed change is one
 * `setTraining` edit, so it lands in the file, diffs and undoes like any other edit; a value the
 * schema refuses is explained under its field and never sent.
 */
import React from 'react';
import type { TrainingConfig } from '../../engine/graph/document.js';
import type { GraphEdit } from '../../engine/graph/edits.js';
import type { JsonSchema } from '../../engine/graph/json-schema.js';
import { trainingSchema } from '../../engine/graph/training-schema.js';
import { Button, NativeSelect, TextInput, Toggle } from '../ui/controls.js';
import { useHost } from '../host.js';
import {
  checked,
  fieldsOf,
  formatSetting,
  kindsOfSection,
  parseSetting,
  sectionOf,
  switchKind,
  withSetting,
  type KindedSection,
} from './training-settings.js';

const LABELS: Record<string, string> = {
  lr: 'learning rate',
  batchSize: 'batch size',
  validationSplit: 'validation split',
  weightDecay: 'weight decay',
  clipGradNorm: 'clip grad norm',
  stepSize: 'step size',
  tMax: 'period (epochs)',
  etaMin: 'min lr',
  startFactor: 'start factor',
  endFactor: 'end factor',
  totalIters: 'warm-up epochs',
  maxLr: 'max lr',
  totalSteps: 'total steps',
  pctStart: 'warm-up fraction',
  divFactor: 'div factor',
  finalDivFactor: 'final div factor',
};

const SECTION_TITLES: Record<KindedSection, string> = {
  dataset: 'Data',
  optimizer: 'Optimiser',
  schedule: 'Schedule',
};

/** The loop settings of the top level shown in the form, in this order. */
const LOOP_KEYS = ['batchSize', 'epochs', 'validationSplit', 'seed', 'clipGradNorm'] as const;

function SettingField(props: {
  name: string;
  schema: JsonSchema;
  value: unknown;
  testId: string;
  title?: string;
  required: boolean;
  /** Shown in an empty field (default: 'required' or 'default'). */
  placeholder?: string;
  /** The training section with this setting set to `v` (undefined: removed). */
  apply: (v: unknown) => TrainingConfig;
  onEdit: (edit: GraphEdit) => void;
}): React.JSX.Element {
  const { schema } = props;
  const [error, setError] = React.useState<string | undefined>();
  const label = LABELS[props.name] ?? props.name;
  if ('type' in schema && schema.type === 'boolean') {
    return (
      <Toggle
        label={label}
        checked={props.value === true}
        testId={props.testId}
        onChange={(v) => {
          const c = checked(props.apply(v ? true : undefined));
          if (c.ok) props.onEdit({ kind: 'setTraining', training: c.training });
        }}
      />
    );
  }
  const attempt = (text: string) => checked(props.apply(parseSetting(schema, text)));
  return (
    <TextInput
      label={label}
      value={formatSetting(props.value)}
      placeholder={props.placeholder ?? (props.required ? 'required' : 'default')}
      error={error}
      title={props.title}
      testId={props.testId}
      onInput={(text) => {
        const c = attempt(text);
        setError(c.ok ? undefined : c.error);
      }}
      onCommit={(text) => {
        const c = attempt(text);
        if (!c.ok) return setError(c.error);
        setError(undefined);
        props.onEdit({ kind: 'setTraining', training: c.training });
      }}
    />
  );
}

function KindedSectionForm(props: {
  section: KindedSection;
  training: TrainingConfig;
  onEdit: (edit: GraphEdit) => void;
}): React.JSX.Element {
  const { section, training } = props;
  const host = useHost();
  const current = sectionOf(training, section);
  // A CSV dataset needs a file: chosen with "Choose CSV…", not by switching the kind.
  const kinds = kindsOfSection(section).filter((k) => k !== 'csv' || current.kind === 'csv');
  return (
    <fieldset className="settings-group" data-testid={`settings-${section}`}>
      <legend>{SECTION_TITLES[section]}</legend>
      <div className="settings-grid">
        <NativeSelect
          label="kind"
          value={current.kind}
          options={kinds}
          testId={`setting-${section}-kind`}
          onChange={(kind) => {
            const c = checked(switchKind(training, section, kind));
            if (c.ok) props.onEdit({ kind: 'setTraining', training: c.training });
          }}
        />
        {fieldsOf(section, current.kind).map((f) => (
          <SettingField
            key={`${section}:${current.kind}:${f.key}`}
            name={f.key}
            schema={f.schema}
            value={current[f.key]}
            required={f.required}
            // A CSV dataset without a path has no file yet (an imported model), not a default one.
            {...(section === 'dataset' && f.key === 'path' ? { placeholder: 'no file chosen' } : {})}
            title={f.description}
            testId={`setting-${section}-${f.key}`}
            apply={(v) => withSetting(training, section, f.key, v)}
            onEdit={props.onEdit}
          />
        ))}
        {section === 'dataset' ? (
          <Button
            secondary
            onClick={() => host.post({ type: 'chooseDataset' })}
            testId="setting-dataset-choose"
            title="Pick a CSV file as the dataset (its path is written relative to the graph)"
          >
            Choose CSV…
          </Button>
        ) : null}
      </div>
    </fieldset>
  );
}

export const TrainingSettings = React.memo(function TrainingSettings(props: {
  training: TrainingConfig;
  onEdit: (edit: GraphEdit) => void;
}): React.JSX.Element {
  const { training, onEdit } = props;
  const top = 'type' in trainingSchema && trainingSchema.type === 'object' ? trainingSchema : null;
  return (
    <div className="training-settings" data-testid="training-settings">
      <KindedSectionForm section="dataset" training={training} onEdit={onEdit} />
      <KindedSectionForm section="optimizer" training={training} onEdit={onEdit} />
      <KindedSectionForm section="schedule" training={training} onEdit={onEdit} />
      <fieldset className="settings-group" data-testid="settings-loop">
        <legend>Loop</legend>
        <div className="settings-grid">
          {LOOP_KEYS.map((key) => {
            const schema = top?.properties[key];
            if (!schema) return null;
            return (
              <SettingField
                key={key}
                name={key}
                schema={schema}
                value={training[key]}
                required={(top?.required ?? []).includes(key)}
                title={schema.description}
                testId={`setting-${key}`}
                apply={(v) => withSetting(training, null, key, v)}
                onEdit={onEdit}
              />
            );
          })}
        </div>
      </fieldset>
    </div>
  );
});
