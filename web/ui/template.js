// template.js: the interface's markup. Its texts come from the strings
// (data-i18n*), so it holds no words of its own, and no inline style. The
// part attributes are what a host page may style through ::part() (the
// names are listed in ui.css).

export const TEMPLATE = `
<div class="altiup">
	<div class="drop" id="drop" data-state="idle" part="dropzone">
		<p class="drop-title" data-i18n="drop.title"></p>
		<p class="drop-hint" data-i18n="drop.hint"></p>
		<div class="pickers">
			<input id="files" class="sr-only" type="file" multiple>
			<label for="files" class="button" part="button" data-i18n="pick.files"></label>
			<input id="folder" class="sr-only" type="file" webkitdirectory multiple>
			<label for="folder" class="button" part="button" data-i18n="pick.folder"></label>
		</div>
	</div>
	<section class="check" id="check" aria-labelledby="check-title" hidden>
		<h2 id="check-title" data-i18n="check.title"></h2>
		<p id="checkstatus" class="muted" aria-live="polite"></p>
		<div id="checksummary"></div>
		<h3 data-i18n="check.warnings"></h3>
		<ul id="checkwarnings" class="check-warnings"></ul>
		<div id="checkleft"></div>
		<h3 data-i18n="check.map.title"></h3>
		<div id="checkmap" class="check-map"></div>
		<p id="checkpoint" class="check-point" aria-live="polite"></p>
		<div class="check-export" role="group" aria-labelledby="check-export">
			<span id="check-export" data-i18n="check.export"></span>
			<button id="exportcsv" type="button" data-i18n="check.export.csv"></button>
			<button id="exportgeojson" type="button" data-i18n="check.export.geojson"></button>
		</div>
	</section>
	<div class="buttons" role="group" data-i18n-label="controls">
		<button id="start" type="button" class="primary" part="button primary" disabled data-i18n="btn.start"></button>
		<button id="pause" type="button" part="button" disabled data-i18n="btn.pause"></button>
		<button id="resume" type="button" part="button" disabled data-i18n="btn.resume"></button>
		<button id="cancel" type="button" part="button" disabled data-i18n="btn.cancel"></button>
		<button id="retryall" type="button" part="button" disabled data-i18n="btn.retryall"></button>
		<button id="clear" type="button" part="button" disabled data-i18n="btn.clear"></button>
		<label class="check"><input id="wait" type="checkbox" checked> <span data-i18n="opt.wait"></span></label>
	</div>
	<section class="progress-area" aria-labelledby="progress-title">
		<h2 id="progress-title" data-i18n="progress.title"></h2>
		<progress id="total" part="progress total" max="1" value="0" data-i18n-label="progress.total"></progress>
		<p id="totals"></p>
		<p id="summary" part="summary" aria-live="polite"></p>
		<p id="validation"></p>
		<p id="message" class="error" part="message" role="alert"></p>
		<div id="announce" class="sr-only" aria-live="polite" aria-atomic="true"></div>
		<div class="listwrap" id="listwrap" part="list" tabindex="0" role="region" data-i18n-label="list.label">
			<table id="table">
				<caption class="sr-only" data-i18n="list.caption"></caption>
				<thead>
					<tr><th scope="col" data-i18n="col.file"></th><th scope="col" data-i18n="col.size"></th><th scope="col" data-i18n="col.state"></th><th scope="col" data-i18n="col.sent"></th><th scope="col" data-i18n="col.details"></th><th scope="col"><span class="sr-only" data-i18n="col.actions"></span></th></tr>
				</thead>
				<tbody id="filelist"></tbody>
			</table>
		</div>
		<p id="listcount" class="muted"></p>
		<input id="replace" class="sr-only" type="file" tabindex="-1" aria-hidden="true">
	</section>
	<section class="loop" id="loop" aria-labelledby="loop-title" hidden></section>
	<section class="recon" aria-labelledby="recon-title">
		<h2 id="recon-title" data-i18n="recon.title"></h2>
		<div class="recon-row">
			<label for="tasktype" data-i18n="recon.type"></label>
			<select id="tasktype">
				<option value="Native" selected data-i18n="recon.native"></option>
				<option value="Dense" data-i18n="recon.dense"></option>
			</select>
			<label class="check"><input id="prestart" type="checkbox"> <span data-i18n="recon.prestart"></span></label>
			<button id="reconstruct" type="button" class="primary" part="button primary" disabled data-i18n="recon.start"></button>
		</div>
		<div class="recon-row">
			<p id="reconstruction" aria-live="polite"></p>
			<button id="stoprecon" type="button" part="button" hidden data-i18n="recon.stop"></button>
		</div>
		<details id="reconwhy" class="recon-why" hidden><summary data-i18n="errors.cause"></summary><dl id="reconcodes"></dl></details>
	</section>
</div>`;
