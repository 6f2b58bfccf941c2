// picker.js: the project list of the page, drawn from a ProjectList
// (projects.js): one button per project, pressed when it is the project
// chosen, and a "more" button while pages are left.
import { format, setText } from '../ui/i18n.js';
import { isRunning } from '../ui/recon.js';
import { projectVars } from './projects.js';

// taskWords says a task state in the strings' language.
export function taskWords(strings, state) {
	const w = format(strings, 'task.' + state);
	return w === 'task.' + state ? state : w;
}

// renderProjects draws list into el {projectlist, projectstatus,
// moreprojects}; chosen is the id of the chosen project.
export function renderProjects(el, strings, list, chosen) {
	const [key, vars] = list.status();
	setText(el.projectstatus, strings, key, vars);
	const ul = el.projectlist;
	const active = ul.contains(document.activeElement) ? document.activeElement : null;
	const focused = active ? active.dataset.id : '';
	ul.replaceChildren(...list.items.map((p) => {
		const li = document.createElement('li');
		const b = document.createElement('button');
		b.type = 'button';
		b.className = 'pick';
		b.dataset.id = p.id;
		b.setAttribute('aria-pressed', String(p.id === chosen));
		const name = document.createElement('span');
		name.className = 'pname';
		name.textContent = p.name;
		const meta = document.createElement('span');
		meta.className = 'pmeta';
		meta.textContent = format(strings, 'projects.item', projectVars(p, (s) => taskWords(strings, s)));
		b.append(name, meta);
		li.append(b);
		if (isRunning(p.taskState)) {
			const stop = document.createElement('button');
			stop.type = 'button';
			stop.className = 'stop';
			stop.dataset.id = p.id;
			stop.textContent = format(strings, 'projects.stop');
			stop.setAttribute('aria-label', format(strings, 'projects.stop.label', { name: p.name }));
			li.append(stop);
		}
		return li;
	}));
	if (focused) {
		// The same button again, else the project's own (a stopped task has no Stop).
		const id = CSS.escape(focused);
		const again = ul.querySelector(`.${active.className}[data-id="${id}"]`) || ul.querySelector(`.pick[data-id="${id}"]`);
		if (again) again.focus();
	}
	el.moreprojects.hidden = !list.hasMore;
	el.moreprojects.disabled = list.loading;
}
