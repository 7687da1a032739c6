// Replays event sequences in the real xstate v5 for tests/interchange/test_differential.py.
//
// stdin:  {"machine": <an XState config exported by missionflow>, "sequences": [[{"trigger", "verdicts", "timer"}]]}
// stdout: one array per sequence, one {"taken", "state", "trace"} per step.
//
// The exported machine is used as it is, except that every state gets an entry and an exit
// action and every transition an action, all recording into the step's trace: that is how the
// test sees what XState runs. The guards are the application's part, provided here as any
// application would: "missionflow.all" reads the verdict of each guard sent with the event.
// A timer step sends the event XState raises when the delay of an `after` ends
// (xstate.after.<delay>.<state node id>); the actor runs on a simulated clock, so no delay ever
// ends by itself.
import { readFileSync } from 'node:fs';
import { SimulatedClock, createActor, createMachine } from 'xstate';

const input = JSON.parse(readFileSync(0, 'utf8'));
const config = structuredClone(input.machine);

const record = (step) => ({ type: 'test.record', params: { step } });
for (const [id, state] of Object.entries(config.states)) {
  state.entry = [record(`enter:${id}`)];
  state.exit = [record(`exit:${id}`)];
  for (const key of ['on', 'after']) {
    for (const [event, entries] of Object.entries(state[key] ?? {})) {
      const list = Array.isArray(entries) ? entries : [entries];
      state[key][event] = list.map((entry) => ({ ...entry, actions: [record('taken')] }));
    }
  }
}
const delays = {};
for (const state of Object.values(config.states)) {
  for (const delay of Object.keys(state.after ?? {})) {
    delays[delay] = 1000;
  }
}

let trace = [];
const machine = createMachine(config).provide({
  guards: {
    'missionflow.all': ({ event }, { guards }) => guards.every((guard) => event.verdicts[guard.name] === true),
  },
  actions: { 'test.record': (_, { step }) => trace.push(step) },
  delays,
});

const runs = input.sequences.map((steps) => {
  const actor = createActor(machine, { clock: new SimulatedClock() });
  actor.start();
  return steps.map(({ trigger, verdicts, timer }) => {
    trace = [];
    const type = timer ? `xstate.after.${trigger}.${config.id}.${actor.getSnapshot().value}` : trigger;
    actor.send({ type, verdicts });
    const snapshot = actor.getSnapshot();
    // Reaching a top-level final state ends the actor, which then exits that state too; a
    // workflow's final state is never left, so that last exit belongs to the stop, not to the step.
    if (snapshot.status === 'done' && trace.at(-1) === `exit:${snapshot.value}`) {
      trace.pop();
    }
    const taken = trace.includes('taken');
    return { taken, state: snapshot.value, trace: trace.filter((step) => step !== 'taken') };
  });
});
process.stdout.write(JSON.stringify(runs));
