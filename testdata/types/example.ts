// example.ts: every part of web/altiup.d.ts in use, as a partner's
// TypeScript would use it. ./build.sh test checks it with tsc --strict;
// the @ts-expect-error lines are mistakes the types must catch.

const api = 'https://api.altizure.com/graphql';
const key = 'APP_KEY';

async function withUploader(files: FileList): Promise<void> {
	await altiup.ready;
	const loaded: Altiup.Loader = await altiup.load();
	const base: string = loaded.base;
	const version: string | undefined = altiup.version;
	const up: Altiup.Uploader = await altiup.create({
		api, key, project: 'PROJECT_ID', cloud: 'oss', bucket: 'b', concurrency: 4, journal: false,
		getToken: async () => (await fetch('/my/altizure-token')).text(),
	});
	// @ts-expect-error: a cloud that does not exist
	void altiup.create({ api, key, project: 'P', cloud: 'gcs' });
	// @ts-expect-error: create needs a project
	void altiup.create({ api, key, token: 'T' });
	up.on('file', (e: Altiup.FileEvent) => {
		const state: Altiup.FileState = e.state;
		const where = e.path ?? e.name;
		const camera = e.meta ? `${e.meta.make ?? '?'} ${e.meta.model ?? '?'} ${e.meta.width ?? 0}×${e.meta.height ?? 0}` : '';
		const failure = e.error ? `${e.error.code}: ${e.error.message}` : '';
		console.log(e.index, where, e.size, state, e.sent, e.checksum, e.imageId, e.duplicateOf, camera, failure,
			e.meta?.lat, e.meta?.lon, e.meta?.alt, e.meta?.pitch, e.meta?.time, e.meta?.focalLength, e.meta?.focalLength35);
	}).on('progress', (p: Altiup.ProgressEvent) => {
		console.log(p.sentBytes / p.totalBytes, p.filesDone, p.filesTotal, p.bytesPerSecond, p.etaSeconds);
	});
	// @ts-expect-error: no such event
	up.on('done', () => {});
	const added: number = await up.add(files, { paths: Array.from(files, (f) => f.webkitRelativePath || f.name) });
	await up.add([new File([], 'a.jpg')]);
	const summary: Altiup.InspectSummary = await up.inspect();
	const csv: string = await up.exportPositions('csv');
	console.log(csv.split("\n").length);
	// @ts-expect-error: only csv and geojson
	void up.exportPositions('kml');
	for (const c of summary.cameras) console.log(c.make, c.model, c.width, c.height, c.count);
	for (const w of summary.warnings) {
		if (w.code === 'duplicate_content') await up.exclude(w.files);
	}
	if (summary.bounds) console.log(summary.bounds.minLat, summary.bounds.maxLon, summary.spanMeters);
	const cost: Altiup.Cost | null = summary.cost;
	console.log(added, summary.files, summary.images, summary.bytes, summary.gigapixels, summary.withGPS, summary.withoutGPS,
		summary.capturedFrom, summary.capturedTo, cost?.coins, cost?.money, cost?.currency, cost?.balance, cost?.freeGPQuota, cost?.coinPerGP);
	await up.exclude(3, [5, 6]);
	await up.include(5);
	await up.replace(1, new File([], 'b.jpg'), { path: 'flight/b.jpg' });
	up.pause();
	up.resume();
	let report: Altiup.Report;
	try {
		report = await up.start();
	} catch (e) {
		const err = e as Altiup.BatchError;
		const code: Altiup.ErrorCode = err.code;
		if (code === 'no_bucket' && err.report) report = err.report;
		else throw e;
	}
	for (const f of report.files) console.log(f.name, f.path, f.state, f.imageId, f.checksum, f.error?.code);
	console.log(report.total, report.uploaded, report.skipped, report.failed, report.excluded);
	const result: Altiup.ProcessedResult = await up.waitProcessed();
	for (const f of [...result.invalidFiles, ...(result.failedFiles ?? [])]) console.log(f.index, f.path, f.name, f.imageId, f.errors.join('; '));
	console.log(result.wanted, result.ready, result.invalid, result.failed);
	const task: Altiup.Task | null = await up.task();
	console.log(task?.id, task?.taskType, task?.state, task?.queueing, task?.startDate, task?.error);
	const started: Altiup.ReconstructionResult = await up.startReconstruction({ taskType: 'Native' });
	if (started.error) console.log(started.error.message);
	await up.preStartReconstruction({ taskType: 'Dense' });
	up.cancel();
	up.dispose();
	console.log(base, version, up.version);
}

async function withConnection(): Promise<void> {
	const conn: Altiup.Connection = await altiup.connect({ api, key, token: 'USER_TOKEN' });
	const made: Altiup.Project = await conn.createProject({ name: 'Survey' });
	const p = await conn.project(made.id);
	if (p) console.log(p.id, p.name, p.numImage, p.taskState, p.task?.state);
	let page: Altiup.ProjectPage = await conn.projects({ search: 'Sur', first: 20 });
	while (page.hasNextPage) page = await conn.projects({ after: page.endCursor });
	for (const l of page.projects) console.log(l.id, l.name, l.numImage, l.gigaPixel, l.taskState, l.date);
	console.log(page.totalCount);
	const me: Altiup.Account = await conn.account();
	console.log(me.email, me.name, me.balance, me.freeGPQuota, me.coinPerGP, me.planName);
	const stopped: Altiup.Task = await conn.stopReconstruction(made.id);
	const codes: Altiup.ErrorCodeInfo[] = await conn.errorCodes('zh');
	for (const c of codes) console.log(c.code, c.description, c.solution);
	console.log(stopped.state, conn.version);
	// @ts-expect-error: connections have no uploads
	void conn.start();
}

async function withElement(): Promise<void> {
	const el = document.querySelector('altiup-uploader');
	if (!el) return;
	const same: AltiupUploaderElement = el;
	el.token = 'USER_TOKEN';
	el.getToken = () => 'USER_TOKEN';
	el.setAttribute('theme', 'dark' satisfies Altiup.Theme);
	el.addEventListener('altiup-file', (e) => console.log(e.detail.state, e.detail.index));
	el.addEventListener('altiup-progress', (e) => console.log(e.detail.sentBytes));
	el.addEventListener('altiup-done', (e) => console.log(e.detail.counts.uploaded, e.detail.processed?.ready));
	el.addEventListener('altiup-error', (e) => console.log(e.detail.code, e.detail.message));
	el.addEventListener('click', (e) => console.log(e.clientX));
	document.addEventListener('altiup-done', (e) => console.log(e.detail.report?.total));
	el.on('file', (f) => console.log(f.path)).on('done', (o) => console.log(o.counts.ready)).on('error', (err) => console.log(err.code)).on('progress', (p) => console.log(p.etaSeconds));
	await el.ready;
	const n: number = await el.add([new File([], 'c.jpg')]);
	const outcome: Altiup.Outcome | null = await el.start();
	if (outcome) console.log(n, outcome.counts.total, outcome.counts.unsupported, outcome.report?.files.length);
	el.pause();
	el.resume();
	el.cancel();
	await el.retryFailed();
	for (const r of el.entries()) console.log(r.name, r.state, r.size, r.sent, r.details);
	await el.waitProcessed();
	await el.startReconstruction({ taskType: 'Native' });
	await el.preStartReconstruction();
	el.dispose();
	// @ts-expect-error: the element has no inspect
	void el.inspect();
	const made = document.createElement('altiup-uploader');
	const attrs: AltiupUploaderAttributes = { api, key, project: 'P', lang: 'zh', cloud: 's3', concurrency: 2, theme: 'light', loading: 'eager', isolated: true };
	for (const [k, v] of Object.entries(attrs)) made.setAttribute(k, v === true ? '' : String(v));
	document.body.append(made, same);
}

void withUploader(new DataTransfer().files);
void withConnection();
void withElement();
