// The public surface of @dl/io that runs anywhere (bytes in, bytes out); index.ts adds the Node file functions.
export { type StateDict, type Metadata, type SafetensorsDType } from './format.js';
export { serialize, type SerializeOptions } from './serialize.js';
export { deserialize, type Deserialized } from './deserialize.js';
export { flattenState, unflattenState, serializeState, deserializeState, STATE_KEY, type FlatState, type NestedState } from './state.js';
export { loadInto, type LoadIntoOptions, type LoadIntoResult } from './loadInto.js';
