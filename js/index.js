// The npm package's entry: the loader (which defines window.ConvoWidget and loads the wasm
// lazily), and that object as the named and default export.
import './convo-widget.js';

export const ConvoWidget = typeof window === 'undefined' ? undefined : window.ConvoWidget;
export default ConvoWidget;
