// app.js: the page's logic around the altiup uploader (see altiup.js).
(function () {
	'use strict';
	const $ = (id) => document.getElementById(id);
	const el = {
		status: $('status'), form: $('settings'), api: $('api'), key: $('key'), token: $('token'),
		project: $('project'), files: $('files'), cloud: $('cloud'), bucket: $('bucket'), concurrency: $('concurrency'),
		wait: $('wait'), start: $('start'), pause: $('pause'), resume: $('resume'), cancel: $('cancel'),
		total: $('total'), totals: $('totals'), summary: $('summary'), message: $('message'),
		filelist: $('filelist'), tasktype: $('tasktype'), prestart: $('prestart'),
		reconstruct: $('reconstruct'), reconstruction: $('reconstruction'), version: $('version'),
	};

	let up = null; // the uploader of the current settings
	let upKey = ''; // the settings it was made with
	let added = new WeakSet(); // File objects already given to it
	const rows = new Map(); // file index → table row
	let running = false;

	// ---- formatting ----
	function bytes(n) {
		if (!(n >= 0)) return '–';
		const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
		let i = 0;
		while (n >= 1024 && i < units.length - 1) {
			n /= 1024;
			i++;
		}
		return (i === 0 ? String(n) : n.toFixed(n < 10 ? 2 : 1)) + ' ' + units[i];
	}
	function duration(s) {
		if (!(s > 0) || !isFinite(s)) return '–';
		s = Math.round(s);
		if (s < 60) return s + ' s';
		const m = Math.floor(s / 60);
		if (m < 60) return m + ' min ' + (s % 60) + ' s';
		return Math.floor(m / 60) + ' h ' + (m % 60) + ' min';
	}
	function errorText(e) {
		if (!e) return '';
		if (typeof e === 'string') return e;
		return e.message || String(e);
	}
	function showMessage(text) {
		el.message.textContent = text || '';
	}

	// ---- settings: query parameters, else /config.json ----
	async function prefill() {
		const fields = ['api', 'key', 'token', 'project'];
		let config = {};
		try {
			const r = await fetch('/config.json', { cache: 'no-store' });
			if (r.ok) config = await r.json();
		} catch (e) {
			// No config.json: the fields stay empty for the person to fill in.
		}
		const params = new URLSearchParams(location.search);
		for (const name of fields) {
			const value = params.get(name) || (config && typeof config[name] === 'string' ? config[name] : '');
			if (value && !el[name].value) el[name].value = value;
		}
		const cloud = params.get('cloud');
		if (cloud && ['auto', 'oss', 's3'].includes(cloud)) el.cloud.value = cloud;
		if (params.get('bucket')) el.bucket.value = params.get('bucket');
	}

	function options() {
		const o = {
			api: el.api.value.trim(),
			key: el.key.value.trim(),
			token: el.token.value.trim(),
			project: el.project.value.trim(),
			cloud: el.cloud.value,
		};
		const bucket = el.bucket.value.trim();
		if (bucket) o.bucket = bucket;
		const c = parseInt(el.concurrency.value, 10);
		if (c > 0) o.concurrency = c;
		return o;
	}

	// ---- the file table ----
	function row(e) {
		let tr = rows.get(e.index);
		if (tr) return tr;
		tr = document.createElement('tr');
		tr.dataset.name = e.name;
		tr.dataset.index = String(e.index);
		const cells = ['name', 'size', 'state', 'sent', 'details'].map((c) => {
			const td = document.createElement('td');
			td.className = c;
			tr.appendChild(td);
			return td;
		});
		cells[0].textContent = e.name;
		cells[1].textContent = bytes(e.size);
		const bar = document.createElement('progress');
		bar.max = Math.max(e.size, 1);
		bar.value = 0;
		cells[3].appendChild(bar);
		el.filelist.appendChild(tr);
		rows.set(e.index, tr);
		return tr;
	}

	function onFile(e) {
		const tr = row(e);
		tr.dataset.state = e.state;
		tr.querySelector('.state').textContent = e.state;
		const bar = tr.querySelector('progress');
		let sent = e.sent || 0;
		if (['uploaded', 'skipped', 'ready', 'invalid'].includes(e.state)) sent = e.size;
		bar.value = Math.min(sent, bar.max);
		bar.title = bytes(sent) + ' of ' + bytes(e.size);
		let details = '';
		if (e.error) details = errorText(e.error);
		else if (e.state === 'skipped') details = e.duplicateOf ? 'same content as ' + e.duplicateOf : 'already in the project';
		else if (e.checksum) details = 'SHA-1 ' + e.checksum;
		if (details) tr.querySelector('.details').textContent = details;
	}

	let lastProgress = null;
	function onProgress(p) {
		lastProgress = p;
		el.total.max = Math.max(p.totalBytes, 1);
		el.total.value = Math.min(p.sentBytes, el.total.max);
		el.totals.textContent =
			bytes(p.sentBytes) + ' of ' + bytes(p.totalBytes) +
			' · ' + p.filesDone + ' of ' + p.filesTotal + ' files' +
			' · ' + (p.bytesPerSecond > 0 ? bytes(p.bytesPerSecond) + '/s' : '–') +
			' · ' + (p.etaSeconds > 0 ? duration(p.etaSeconds) + ' left' : (running ? 'estimating the time left' : 'finished'));
	}

	function setRunning(on) {
		running = on;
		if (!on && lastProgress) onProgress(lastProgress);
		el.start.disabled = on;
		el.pause.disabled = !on;
		el.resume.disabled = true;
		el.cancel.disabled = !on;
		el.reconstruct.disabled = on || !up;
	}

	// ---- the flow ----
	async function uploader() {
		const o = options();
		const k = JSON.stringify(o);
		if (up && k === upKey) return up;
		if (up) up.dispose();
		up = null;
		rows.clear();
		lastProgress = null;
		el.filelist.textContent = '';
		added = new WeakSet();
		const u = await altiup.create(o);
		u.on('file', onFile).on('progress', onProgress);
		up = u;
		upKey = k;
		return u;
	}

	async function start(ev) {
		ev.preventDefault();
		showMessage('');
		el.summary.textContent = '';
		el.reconstruction.textContent = '';
		let u;
		try {
			u = await uploader();
		} catch (e) {
			showMessage(errorText(e));
			return;
		}
		const fresh = Array.from(el.files.files).filter((f) => !added.has(f));
		if (fresh.length === 0 && rows.size === 0) {
			showMessage('Choose the photos to upload first.');
			return;
		}
		try {
			await u.add(fresh);
			fresh.forEach((f) => added.add(f));
		} catch (e) {
			showMessage(errorText(e));
			return;
		}
		setRunning(true);
		let report;
		try {
			report = await u.start();
		} catch (e) {
			showMessage(errorText(e));
			report = e && e.report;
		}
		setRunning(false);
		if (report) {
			el.summary.textContent =
				report.total + ' files: ' + report.uploaded + ' uploaded, ' + report.skipped +
				' skipped (already there), ' + report.failed + ' failed.';
		}
		if (u !== up || !el.wait.checked || !report || report.uploaded + report.skipped === 0) return;
		el.summary.textContent += ' Waiting for validation…';
		el.cancel.disabled = false;
		try {
			const result = await u.waitProcessed();
			el.summary.textContent =
				report.total + ' files: ' + report.uploaded + ' uploaded, ' + report.skipped + ' skipped, ' +
				report.failed + ' failed. Validation: ' + result.ready + ' ready, ' + result.invalid + ' invalid.';
			for (const inv of result.invalidFiles || []) {
				for (const tr of el.filelist.querySelectorAll('tr')) {
					if (tr.dataset.name === inv.name) {
						tr.dataset.state = 'invalid';
						tr.querySelector('.state').textContent = 'invalid';
						tr.querySelector('.details').textContent = (inv.errors || []).join('; ') || 'invalid';
					}
				}
			}
		} catch (e) {
			showMessage('Waiting for validation stopped: ' + errorText(e));
		}
		el.cancel.disabled = true;
	}

	async function reconstruct() {
		if (!up) return;
		el.reconstruct.disabled = true;
		el.reconstruction.textContent = 'Asking…';
		const args = { taskType: el.tasktype.value };
		try {
			const r = el.prestart.checked ? await up.preStartReconstruction(args) : await up.startReconstruction(args);
			if (r.error) {
				el.reconstruction.textContent = 'Not started: ' + errorText(r.error);
			} else if (r.task) {
				const t = r.task;
				el.reconstruction.textContent =
					'Task ' + t.id + ' (' + t.taskType + '): ' + t.state +
					(t.queueing ? ', ' + t.queueing + ' ahead in the queue' : '') + '.';
			} else {
				el.reconstruction.textContent = el.prestart.checked
					? 'The reconstruction will start once every image is processed.'
					: 'The service gave no task.';
			}
		} catch (e) {
			el.reconstruction.textContent = 'Could not start the reconstruction: ' + errorText(e);
		}
		el.reconstruct.disabled = running;
	}

	el.form.addEventListener('submit', start);
	el.pause.addEventListener('click', () => {
		if (!up) return;
		up.pause();
		el.pause.disabled = true;
		el.resume.disabled = false;
		el.summary.textContent = 'Paused: uploads under way finish, nothing new starts until you resume.';
	});
	el.resume.addEventListener('click', () => {
		if (!up) return;
		up.resume();
		el.pause.disabled = !running;
		el.resume.disabled = true;
		el.summary.textContent = '';
	});
	el.cancel.addEventListener('click', () => {
		if (!up) return;
		up.resume();
		up.cancel();
	});
	el.reconstruct.addEventListener('click', reconstruct);

	prefill();
	altiup.ready.then(() => {
		el.status.textContent = 'ready';
		el.version.textContent = altiup.version;
		el.start.disabled = false;
	}, (e) => {
		el.status.textContent = 'failed to load';
		showMessage(errorText(e));
	});
})();
