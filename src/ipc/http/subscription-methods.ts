// The methods that answer with a stream (declared with an item): HTTP refuses them, as jsonrpsee's HTTP server does.
import { API, METHOD_NAMES } from '../api.js';

export const SUBSCRIPTION_METHODS: ReadonlySet<string> = new Set(METHOD_NAMES.filter((m) => 'item' in API[m]));
