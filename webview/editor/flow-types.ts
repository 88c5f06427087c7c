/**
 * The custom node and edge components React Flow draws with. Module-level, so React Flow sees the
 * same tables every render (a new object would remount every node); both components are React.memo,
 * so a node re-renders only when its own data or selection changes.
 */
import type { EdgeTypes, NodeTypes } from 'reactflow';
import { OP_NODE_TYPE, WIRE_EDGE_TYPE } from './graph-view.js';
import { OpNode } from './nodes/OpNode.js';
import { OverlayEdge } from '../run/NodeOverlay.js';

export const NODE_TYPES: NodeTypes = { [OP_NODE_TYPE]: OpNode };
export const EDGE_TYPES: EdgeTypes = { [WIRE_EDGE_TYPE]: OverlayEdge };
