// ui.js: the uploader's interface, for the page (app.js) and the
// <altiup-uploader> element (altiup.js). An ES module; its parts are in
// ui/ (see mount.js).
export { mount } from './ui/mount.js';
export { format, langOf, loadStrings, pickLanguage, setText, translate } from './ui/i18n.js';
