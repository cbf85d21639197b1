// The pool's named handlers: the engine's task handlers, with the faults GDPMR_FAULT asks for.
import { withFaults } from '../src/engine/faults.js';
import { HANDLERS } from '../src/engine/tasks.js';

const handlers = withFaults(HANDLERS, process.env.GDPMR_FAULT, true);

export const scan = handlers.scan;
export const map = handlers.map;
export const reduce = handlers.reduce;
export const index = handlers.index;
