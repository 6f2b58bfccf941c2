// announce.js: the progress said in a live region, at most every few
// seconds, so that screen readers are not flooded.

export const EVERY = 5000; // ms between progress announcements

export class Announcer {
	// say() gives the text to announce now; put(text) shows it. now and
	// timers are the clock (Date.now, setTimeout, clearTimeout by default).
	constructor(say, put, clock) {
		this.say = say;
		this.put = put;
		this.clock = Object.assign({ now: () => Date.now(), set: (f, ms) => setTimeout(f, ms), clear: (id) => clearTimeout(id) }, clock);
		this.last = -Infinity;
		this.timer = 0;
	}

	fire() {
		this.timer = 0;
		this.last = this.clock.now();
		const text = this.say();
		if (text) this.put(text);
	}

	// soon announces within EVERY ms of the last announcement.
	soon() {
		if (this.timer) return;
		this.timer = this.clock.set(() => this.fire(), Math.max(0, EVERY - (this.clock.now() - this.last)));
	}

	// now announces at once (a moment later, for the live region to notice).
	now() {
		this.stop();
		this.timer = this.clock.set(() => this.fire(), 50);
	}

	stop() {
		if (this.timer) this.clock.clear(this.timer);
		this.timer = 0;
	}
}
