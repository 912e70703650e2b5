/**
 * The CLI's commands, in the order `ipcd --help` lists them; each file holds one concern.
 * Whatever the logic refuses comes back as an IpcdError.
 */
import { DNS_COMMANDS } from './dns-commands';
import { EXPORT_COMMANDS } from './export-commands';
import { USER_COMMANDS } from './manage-commands';
import { NETWORK_COMMANDS } from './network-commands';
import { EXAMPLE_TOPOLOGY_COMMAND, TOPOLOGY_COMMANDS } from './topology-commands';
import type { Command } from './command';

export type { Args, Command, Values } from './command';

export const COMMANDS: Command[] = [
  ...TOPOLOGY_COMMANDS,
  ...DNS_COMMANDS,
  ...NETWORK_COMMANDS,
  EXAMPLE_TOPOLOGY_COMMAND,
  ...USER_COMMANDS,
  ...EXPORT_COMMANDS,
];
