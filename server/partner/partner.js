// The demo partner's script: the in-page element gets its token from the
// partner's backend; both elements' events are listed, as a partner sees them.
document.getElementById('inpage-el').getToken = async () => (await fetch('/token')).text();
const log = document.getElementById('log');
for (const el of document.querySelectorAll('altiup-uploader')) {
	for (const kind of ['file', 'done', 'error']) {
		el.addEventListener('altiup-' + kind, (e) => {
			const li = document.createElement('li');
			li.textContent = el.id + ' ' + kind + ': ' + JSON.stringify(e.detail).slice(0, 200);
			log.prepend(li);
			while (log.children.length > 50) log.lastChild.remove();
		});
	}
}
