/**
 * The run as the webview last saw it, kept by the host so that a webview that is re-created
 * (hidden and shown again: its context is not retained) can be brought back to the same picture
 * at once. The picture is reduced by the same function as the webview's own
 * (engine/run/run-picture.ts) and replayed as a snapshot of events.
 */
import type { RunEvent, RunStatus } from '../../engine/run/protocol.js';
import {
  EMPTY_RUN_PICTURE,
  reduceRunPicture,
  runPictureEvents,
  type RunPicture,
} from '../../engine/run/run-picture.js';

export class RunEventCache {
  private picture: RunPicture = EMPTY_RUN_PICTURE;

  get lastStatus(): RunStatus | null {
    return this.picture.status;
  }

  record(e: RunEvent): void {
    this.picture = reduceRunPicture(this.picture, e);
  }

  /** The events that rebuild the webview's picture of the run, in the order to post them. */
  replay(): RunEvent[] {
    return runPictureEvents(this.picture);
  }
}
