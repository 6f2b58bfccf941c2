// altiup-element.d.ts: the types of <altiup-uploader>, part of
// altiup.d.ts (which references this file; reference that one).

declare namespace Altiup {
	/** A row of the element's list, as entries() gives it. */
	interface Entry {
		name: string;
		state: FileState | 'waiting' | 'unsupported';
		/** Bytes; null until the uploader has read the file's size. */
		size: number | null;
		sent: number;
		details: string;
	}

	interface Counts {
		total: number;
		uploaded: number;
		skipped: number;
		failed: number;
		unsupported: number;
		ready: number;
		invalid: number;
	}

	/** What the element's start() and retryFailed() resolve to, and the
	 * detail of altiup-done: null when there was nothing to send. */
	interface Outcome {
		report: Report | null;
		counts: Counts;
		/** With the wait for the validation (the default). */
		processed?: ProcessedResult | null;
	}

	/** The element's events, by name (detail: the event's object). */
	interface UploaderElementEventMap {
		'altiup-file': CustomEvent<FileEvent>;
		'altiup-progress': CustomEvent<ProgressEvent>;
		'altiup-done': CustomEvent<Outcome>;
		'altiup-error': CustomEvent<Error>;
	}

	/** The names on(event) takes: altiup-<name>. */
	interface UploaderElementDetailMap {
		file: FileEvent;
		progress: ProgressEvent;
		done: Outcome;
		error: Error;
	}

	type Theme = 'light' | 'dark';
}


/** <altiup-uploader api key project lang cloud bucket concurrency theme
 * loading isolated>: the whole interface in a shadow root. */
interface AltiupUploaderElement extends HTMLElement {
	/** Write-only: reads give undefined. */
	token: string | undefined;
	/** Write-only: reads give undefined. */
	getToken: Altiup.GetToken | undefined;
	/** Resolves once the interface and the uploader are loaded; reading it
	 * starts the loading. */
	readonly ready: Promise<AltiupUploaderElement>;
	/** Resolves to how many files were listed. */
	add(files: File[] | FileList): Promise<number>;
	start(): Promise<Altiup.Outcome | null>;
	pause(): void;
	resume(): void;
	cancel(): void;
	retryFailed(): Promise<Altiup.Outcome | null>;
	entries(): Altiup.Entry[];
	waitProcessed(): Promise<Altiup.ProcessedResult>;
	startReconstruction(options?: Altiup.ReconstructionOptions): Promise<Altiup.ReconstructionResult>;
	preStartReconstruction(options?: Altiup.ReconstructionOptions): Promise<Altiup.ReconstructionResult>;
	/** fn(detail) for altiup-<event>; returns the element. */
	on<K extends keyof Altiup.UploaderElementDetailMap>(event: K, fn: (detail: Altiup.UploaderElementDetailMap[K]) => void): this;
	/** Stops the uploads, lets the uploader go and empties the list. */
	dispose(): void;
	addEventListener<K extends keyof Altiup.UploaderElementEventMap>(type: K, listener: (this: AltiupUploaderElement, ev: Altiup.UploaderElementEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
	addEventListener<K extends keyof HTMLElementEventMap>(type: K, listener: (this: AltiupUploaderElement, ev: HTMLElementEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
	addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
	removeEventListener<K extends keyof Altiup.UploaderElementEventMap>(type: K, listener: (this: AltiupUploaderElement, ev: Altiup.UploaderElementEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;
	removeEventListener<K extends keyof HTMLElementEventMap>(type: K, listener: (this: AltiupUploaderElement, ev: HTMLElementEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;
	removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
}

/** The attributes of <altiup-uploader>, for templates and JSX. */
interface AltiupUploaderAttributes {
	api?: string;
	key?: string;
	project?: string;
	lang?: 'en' | 'zh';
	cloud?: Altiup.Cloud;
	bucket?: string;
	concurrency?: number | string;
	/** Follows prefers-color-scheme when absent. */
	theme?: Altiup.Theme;
	/** eager: load the uploader at once, not when it comes into view or is
	 * used. */
	loading?: 'lazy' | 'eager';
	/** Present: the uploader runs in an iframe of altiup's own origin. */
	isolated?: boolean | '';
	/** Works, but every script of the page can read it: prefer the token
	 * property or getToken. */
	token?: string;
}

interface HTMLElementTagNameMap {
	'altiup-uploader': AltiupUploaderElement;
}

/** The element's events bubble out of it (composed), to any ancestor. */
interface HTMLElementEventMap extends Altiup.UploaderElementEventMap {}
interface DocumentEventMap extends Altiup.UploaderElementEventMap {}
