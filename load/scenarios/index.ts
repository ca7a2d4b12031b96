/** Every scenario, in the order the README lists them. */
import load from './load.ts';
import mix from './mix.ts';
import smoke from './smoke.ts';
import soak from './soak.ts';
import spike from './spike.ts';
import stress from './stress.ts';
import type { Scenario } from './scenario.ts';

export const SCENARIOS: Scenario[] = [smoke, load, stress, spike, soak, mix];
