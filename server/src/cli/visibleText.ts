// The escaping is the engine's, shared with the editor's messages; the CLI's modules import it from here.
export { visible, visibleLines } from '../engine';
