// thumbs.js: thumbnails, drawn small, only for rows in view, two at a
// time; a row scrolled away takes its canvas with it, so memory stays
// bounded however long the list.

const AT_ONCE = 2;

export class Thumbs {
	// root is the scrolling box the rows are seen through.
	constructor(root) {
		this.queue = [];
		this.busy = 0;
		this.seen = typeof IntersectionObserver === 'function' && typeof createImageBitmap === 'function'
			? new IntersectionObserver((list) => {
				for (const it of list) {
					if (it.isIntersecting) {
						this.seen.unobserve(it.target);
						this.queue.push(it.target);
					}
				}
				this.pump();
			}, { root, rootMargin: '100px' })
			: null;
	}

	// canvas gives the canvas of e's thumbnail, drawn once it comes into
	// view; null where the browser cannot draw one.
	canvas(e) {
		if (!this.seen) return null;
		const c = document.createElement('canvas');
		c.width = c.height = 32;
		c.className = 'thumb';
		c.setAttribute('aria-hidden', 'true');
		c.entry = e;
		this.seen.observe(c);
		return c;
	}

	pump() {
		while (this.busy < AT_ONCE && this.queue.length) {
			const c = this.queue.shift();
			if (!c.isConnected || !c.entry) continue;
			this.busy++;
			draw(c).finally(() => {
				this.busy--;
				this.pump();
			});
		}
	}

	stop() {
		if (this.seen) this.seen.disconnect();
		this.queue.length = 0;
	}
}

// draw fills c with the middle square of its entry's image.
async function draw(c) {
	let bmp = null;
	try {
		bmp = await createImageBitmap(c.entry.file, { resizeHeight: 64, resizeQuality: 'low' });
		const side = Math.min(bmp.width, bmp.height);
		c.getContext('2d').drawImage(bmp, (bmp.width - side) / 2, (bmp.height - side) / 2, side, side, 0, 0, c.width, c.height);
		c.dataset.drawn = '1';
	} catch (err) {
		c.dataset.drawn = '0'; // TIFF, damaged files and files that are no image have none
	} finally {
		if (bmp) bmp.close();
	}
}
