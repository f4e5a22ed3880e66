// The version zinit-ts reports (`--version`, rpc.discover, the start-up log); package.json carries the same.
export const VERSION = '0.1.0';
