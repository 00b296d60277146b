// Types of the npm package's entry (js/index.js).
import type { ConvoWidgetApi } from './convo-widget';

export type * from './convo-widget';

/** `window.ConvoWidget`: the same object (undefined where there is no `window`, as in SSR). */
export declare const ConvoWidget: ConvoWidgetApi;
export default ConvoWidget;
