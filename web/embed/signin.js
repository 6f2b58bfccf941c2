// signin.js: where the frame's sign-in popup ends (embed/signin.html). It
// hands the answer in its fragment to the frame that opened it, on this
// same origin only, and closes.
import { TAG } from './protocol.js';

const hash = location.hash;
history.replaceState(null, '', location.pathname);
if (window.opener && hash) {
	window.opener.postMessage({ altiup: TAG, kind: 'signin', hash }, location.origin);
	window.close();
}
document.getElementById('done').hidden = false;
