// altiup.d.ts: the types of altiup.js, the loader and <altiup-uploader>
// (the element's are in altiup-element.d.ts, referenced here). A global
// script (no imports): reference it with
//   /// <reference path="altiup.d.ts" />
// or list it in tsconfig.json's "files". README.md ("The JS API",
// "Embedding it in another site") tells how each part behaves.
/// <reference path="altiup-element.d.ts" />

declare namespace Altiup {
	/** The codes of a failure: the core's, and load_failed for a loader
	 * that could not fetch or start the uploader. */
	type ErrorCode =
		| 'network'
		| 'connection_lost'
		| 'timeout'
		| 'server'
		| 'rate_limited'
		| 'expired'
		| 'unauthorized'
		| 'not_found'
		| 'storage_denied'
		| 'storage'
		| 'invalid_input'
		| 'api'
		| 'cancelled'
		| 'checksum_mismatch'
		| 'no_bucket'
		| 'internal'
		| 'load_failed'
		| 'frame_refused';

	/** What every promise rejects with; message is in words and never holds
	 * a token, a credential or a signed URL. */
	interface Error {
		code: ErrorCode;
		message: string;
	}

	/** start() rejects with this when the whole batch failed (no bucket,
	 * for instance): the report says what became of each file. */
	interface BatchError extends Error {
		report?: Report;
	}

	/** Gives the user token, or a promise of it; asked when no token was
	 * given and again when the API refuses the one it has (it expired). */
	type GetToken = () => string | Promise<string>;

	/** Options of altiup.connect(). */
	interface ConnectOptions {
		/** The GraphQL endpoint, e.g. https://api.altizure.com/graphql. */
		api: string;
		/** The app key. */
		key: string;
		/** The user token; may be left out when getToken is given. */
		token?: string;
		getToken?: GetToken;
	}

	type Cloud = 'auto' | 'oss' | 's3';

	/** Options of altiup.create(). */
	interface CreateOptions extends ConnectOptions {
		/** The project's id. */
		project: string;
		cloud?: Cloud;
		/** A bucket of the chosen cloud, instead of the nearest. */
		bucket?: string;
		/** How many files go up at once. */
		concurrency?: number;
		/** false: no journal in IndexedDB (nothing resumes after a reload). */
		journal?: boolean;
		/** Run the uploader in an iframe of altiup's own origin, so that the
		 * page never holds the token, credentials or signed URLs. */
		isolated?: boolean;
		/** Isolated mode: the element the frame is put in (else a hidden
		 * frame at the end of the body). */
		container?: Element;
	}

	type FileState =
		| 'queued'
		| 'hashing'
		| 'checking'
		| 'skipped'
		| 'uploading'
		| 'uploaded'
		| 'ready'
		| 'invalid'
		| 'failed'
		| 'excluded';

	/** A photo's metadata from its first bytes; absent fields left out. */
	interface PhotoMeta {
		width?: number;
		height?: number;
		make?: string;
		model?: string;
		focalLength?: number;
		focalLength35?: number;
		/** The capture time, as the camera wrote it (ISO 8601). */
		time?: string;
		lat?: number;
		lon?: number;
		alt?: number;
		pitch?: number;
		relativeAlt?: number;
	}

	/** The 'file' event: one file's state changed. */
	interface FileEvent {
		/** The file's place in the order of add() calls, from 0. */
		index: number;
		name: string;
		/** Its path inside what the person chose (a dropped folder's path). */
		path?: string;
		size: number;
		state: FileState;
		/** Bytes sent so far. */
		sent: number;
		/** SHA-1, hex. */
		checksum?: string;
		imageId?: string;
		/** The path of a file of the batch with the same content. */
		duplicateOf?: string;
		error?: Error;
		meta?: PhotoMeta;
	}

	/** The 'progress' event: the batch's figures (events in a row are merged
	 * into the latest). */
	interface ProgressEvent {
		sentBytes: number;
		totalBytes: number;
		filesDone: number;
		filesTotal: number;
		bytesPerSecond: number;
		etaSeconds: number;
	}

	/** The events of an uploader, by name. */
	interface UploaderEventMap {
		file: FileEvent;
		progress: ProgressEvent;
	}

	interface AddOptions {
		/** paths[i] is the relative path of files[i]; defaults to
		 * File.webkitRelativePath or the name. */
		paths?: string[];
	}

	interface FileReport {
		name: string;
		path?: string;
		state: FileState;
		imageId?: string;
		checksum?: string;
		error?: Error;
	}

	/** What start() resolves to. */
	interface Report {
		total: number;
		uploaded: number;
		skipped: number;
		failed: number;
		excluded: number;
		files: FileReport[];
	}

	/** A file of waitProcessed()'s answer. */
	interface ProcessedFile {
		index: number;
		name: string;
		path?: string;
		imageId?: string;
		/** Why the service found it Invalid, or why it failed, in words. */
		errors: string[];
	}

	/** What waitProcessed() resolves to, once the service has checked every
	 * photo sent. */
	interface ProcessedResult {
		wanted: number;
		ready: number;
		invalid: number;
		invalidFiles: ProcessedFile[];
		failed: number;
		failedFiles?: ProcessedFile[];
	}

	interface Camera {
		make: string;
		model: string;
		width: number;
		height: number;
		count: number;
	}

	interface Bounds {
		minLat: number;
		minLon: number;
		maxLat: number;
		maxLon: number;
	}

	type WarningCode = 'no_gps' | 'mixed_cameras' | 'mixed_resolutions' | 'duplicate_content' | (string & {});

	interface Warning {
		code: WarningCode;
		message: string;
		/** The indexes of the files it names. */
		files: number[];
	}

	/** The cost of a batch for the signed-in user. */
	interface Cost {
		gigapixels: number;
		coinPerGP: number;
		coins: number;
		freeGPQuota: number;
		balance: number;
		money: number;
		currency: string;
	}

	/** What inspect() resolves to: the batch read from each file's first
	 * bytes, before start(). */
	interface InspectSummary {
		files: number;
		images: number;
		bytes: number;
		gigapixels: number;
		cameras: Camera[];
		withGPS: number;
		withoutGPS: number;
		bounds: Bounds | null;
		spanMeters: number;
		capturedFrom: string | null;
		capturedTo: string | null;
		warnings: Warning[];
		cost: Cost | null;
	}

	/** A reconstruction task. */
	interface Task {
		id: string;
		taskType: string;
		state: string;
		/** ISO 8601. */
		startDate?: string;
		queueing: number;
		/** Why it failed. */
		error?: string;
	}

	interface ReconstructionOptions {
		taskType?: 'Native' | 'Dense' | (string & {});
	}

	/** What startReconstruction() and preStartReconstruction() resolve to: a
	 * refusal by the service is in error, in words. */
	interface ReconstructionResult {
		task: Task | null;
		error: Error | null;
	}

	/** An uploader of one project, made by altiup.create(). */
	interface Uploader {
		readonly version: string;
		/** Adds a listener; returns the uploader, so calls chain. */
		on<K extends keyof UploaderEventMap>(event: K, fn: (e: UploaderEventMap[K]) => void): Uploader;
		/** Resolves to how many files were added, once they are checked;
		 * they enter the uploader in order just after, a 'queued' event each
		 * (start() takes them as they come). */
		add(files: File[] | FileList | File, options?: AddOptions): Promise<number>;
		/** Before start(): the batch's counts, cameras, positions, warnings
		 * and cost. */
		inspect(): Promise<InspectSummary>;
		/** The batch's positions (photos with GPS, not left out) as CSV or
		 * GeoJSON text. */
		exportPositions(format: 'csv' | 'geojson'): Promise<string>;
		/** Leaves files out of the batch, by index (before start). */
		exclude(...indexes: Array<number | number[]>): Promise<void>;
		/** Takes files left out back in. */
		include(...indexes: Array<number | number[]>): Promise<void>;
		/** A File in place of one not yet sent or that ended Invalid. */
		replace(index: number, file: File, options?: { path?: string }): Promise<void>;
		start(): Promise<Report>;
		pause(): void;
		resume(): void;
		cancel(): void;
		waitProcessed(): Promise<ProcessedResult>;
		/** The project's latest reconstruction task, or null. */
		task(): Promise<Task | null>;
		startReconstruction(options?: ReconstructionOptions): Promise<ReconstructionResult>;
		preStartReconstruction(options?: ReconstructionOptions): Promise<ReconstructionResult>;
		/** Stops it and lets it go: its methods then reject. */
		dispose(): void;
	}

	interface Project {
		id: string;
		name: string;
		numImage: number;
		/** The latest task's state, or Idle. */
		taskState: string;
		task: Task | null;
	}

	interface ProjectsQuery {
		/** By name or id prefix. */
		search?: string;
		first?: number;
		/** The endCursor of the page before. */
		after?: string;
	}

	interface ListedProject {
		id: string;
		name: string;
		numImage: number;
		gigaPixel: number;
		taskState: string;
		/** ISO 8601. */
		date: string | null;
	}

	interface ProjectPage {
		totalCount: number;
		hasNextPage: boolean;
		/** "" when there is no next page. */
		endCursor: string;
		projects: ListedProject[];
	}

	interface Account {
		email: string;
		name: string;
		balance: number;
		freeGPQuota: number;
		coinPerGP: number;
		planName: string;
	}

	/** A project error code of the service explained (support.errorCodeInfo). */
	interface ErrorCodeInfo {
		/** The code's name, e.g. TOO_FEW_IMAGES. */
		code: string;
		description: string;
		solution: string;
	}

	/** A connection to the API without a project, made by altiup.connect(). */
	interface Connection {
		readonly version: string;
		createProject(options: { name: string }): Promise<Project>;
		/** null when the caller has no such project. */
		project(id: string): Promise<Project | null>;
		/** my.allProjects, newest first. */
		projects(query?: ProjectsQuery): Promise<ProjectPage>;
		account(): Promise<Account>;
		/** The task, now Stopped; rejects when none is running. */
		stopReconstruction(projectId: string): Promise<Task>;
		/** Every project error code of the service, explained in a language
		 * (default en). */
		errorCodes(lang?: 'en' | 'zh'): Promise<ErrorCodeInfo[]>;
	}

	/** The global altiup. */
	interface Loader {
		/** Resolves once the uploader can be used; reading it starts the
		 * loading. Rejects with load_failed. */
		readonly ready: Promise<Loader>;
		/** Starts loading the uploader now; returns ready. */
		load(): Promise<Loader>;
		/** The uploader's version, once ready. */
		readonly version: string | undefined;
		/** The folder the uploader's files come from. */
		readonly base: string;
		create(options: CreateOptions): Promise<Uploader>;
		connect(options: ConnectOptions): Promise<Connection>;
	}
}

declare var altiup: Altiup.Loader;
