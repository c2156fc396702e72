// Expand an .ics the way Thunderbird does (ical.js) and print the occurrences as JSON.
//
// Usage: node icaljs_expand.mjs [FILE|-] [--from ISO] [--until ISO]
// Output: [{"uid", "start", "end", "recurrence_id", "summary"}, ...] with UTC
// ISO times ("2027-03-01T08:00:00Z"), sorted by start then uid.  EXDATEs are
// dropped and RECURRENCE-ID overrides replace the occurrence they move.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

function parseArgs(argv) {
  const args = { file: "-", from: "1970-01-01T00:00:00Z", until: "2100-01-01T00:00:00Z" };
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === "--from") args.from = argv[++i];
    else if (argv[i] === "--until") args.until = argv[++i];
    else args.file = argv[i];
  }
  return args;
}

function utc(time) {
  return time.toJSDate().toISOString().replace(".000Z", "Z");
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const text = readFileSync(args.file === "-" ? 0 : args.file, "utf8");
  const root = new ICAL.Component(ICAL.parse(text));
  for (const vtimezone of root.getAllSubcomponents("vtimezone")) {
    // Use the VTIMEZONE shipped in the file, as a client does for a zone it lacks.
    ICAL.TimezoneService.register(vtimezone);
  }
  const from = Date.parse(args.from);
  const until = Date.parse(args.until);

  const masters = new Map();
  const overrides = [];
  for (const vevent of root.getAllSubcomponents("vevent")) {
    const uid = vevent.getFirstPropertyValue("uid");
    if (vevent.hasProperty("recurrence-id")) overrides.push(vevent);
    // exceptions: [] stops ical.js from attaching every override in the file,
    // whatever its UID; we relate each override to its own series below.
    else masters.set(uid, new ICAL.Event(vevent, { strictExceptions: true, exceptions: [] }));
  }
  const orphans = [];
  for (const vevent of overrides) {
    const master = masters.get(vevent.getFirstPropertyValue("uid"));
    if (master) master.relateException(vevent);
    else orphans.push(new ICAL.Event(vevent));
  }

  const occurrences = [];
  const emit = (uid, start, end, recurrenceId, summary) => {
    const startMs = start.toJSDate().getTime();
    if (startMs >= from && startMs < until) {
      occurrences.push({ uid, start: utc(start), end: utc(end), recurrence_id: recurrenceId, summary });
    }
  };
  for (const event of masters.values()) {
    if (!event.isRecurring()) {
      emit(event.uid, event.startDate, event.endDate, null, event.summary);
      continue;
    }
    const iterator = event.iterator();
    for (let next = iterator.next(); next; next = iterator.next()) {
      if (next.toJSDate().getTime() >= until) break;
      const details = event.getOccurrenceDetails(next);
      emit(event.uid, details.startDate, details.endDate, utc(details.recurrenceId),
        details.item.summary);
    }
  }
  for (const event of orphans) {
    emit(event.uid, event.startDate, event.endDate, utc(event.recurrenceId), event.summary);
  }
  occurrences.sort((a, b) => a.start.localeCompare(b.start) || a.uid.localeCompare(b.uid));
  process.stdout.write(`${JSON.stringify(occurrences, null, 1)}\n`);
}

main();
