// The demo's agent desk: the widget's wasm, booted as the desk instead of the visitor's widget.
import init, { boot_agent_desk } from './core/convo-widget.js';

await init();
boot_agent_desk(document.getElementById('desk'));
