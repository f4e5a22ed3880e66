// The OpenRPC 1.2.6 description of a method table, served by `rpc.discover`.
import { ERROR_CODE_NAMES, ERROR_DESCRIPTIONS, ErrorCode, errorCodeName } from '../errors/codes.js';
import type { MethodTable } from './method-table.js';
import { DEFAULT_SOCKET_PATH } from './socket-path.js';
import type { ParamType } from './param-binder.js';

export interface OpenRpcInfo {
  readonly version: string;
  readonly title?: string;
  readonly description?: string;
  /** Shown as the server's address; the default socket when absent. */
  readonly socketPath?: string;
}


const PARAM_SCHEMAS: Readonly<Record<ParamType, Readonly<Record<string, unknown>>>> = {
  string: { type: 'string' },
  number: { type: 'number' },
  integer: { type: 'integer' },
  boolean: { type: 'boolean' },
  object: { type: 'object' },
  array: { type: 'array' },
  'string[]': { type: 'array', items: { type: 'string' } },
};

function errorObject(code: number): Record<string, unknown> {
  const name = errorCodeName(code);
  return { code, message: name === undefined ? `error ${code}` : ERROR_DESCRIPTIONS[name] };
}

export function buildOpenRpcDocument(methods: MethodTable, info: OpenRpcInfo): Record<string, unknown> {
  const described = Object.entries(methods).map(([name, spec]) => {
    const method: Record<string, unknown> = {
      name,
      params: spec.params.map((param) => ({
        name: param.name,
        required: param.required,
        ...(param.description === undefined ? {} : { description: param.description }),
        schema: PARAM_SCHEMAS[param.type],
      })),
      // Clients may send params by position (zinit's clients do) or by name.
      paramStructure: 'either',
      result: spec.result ?? { name: `${name}Result`, schema: {} },
    };
    if (spec.summary !== undefined) method.summary = spec.summary;
    if (spec.description !== undefined) method.description = spec.description;
    if (spec.errors !== undefined && spec.errors.length > 0) method.errors = spec.errors.map(errorObject);
    return method;
  });
  return {
    openrpc: '1.2.6',
    info: {
      title: info.title ?? 'zinit-ts JSON-RPC API',
      version: info.version,
      description:
        info.description ??
        'Control socket of zinit-ts: JSON-RPC 2.0, one JSON object per line, over a Unix socket (mode 0600).',
    },
    servers: [{ name: 'Unix socket', url: `unix://${info.socketPath ?? DEFAULT_SOCKET_PATH}` }],
    methods: described,
    components: {
      errors: Object.fromEntries(ERROR_CODE_NAMES.map((name) => [name, errorObject(ErrorCode[name])])),
    },
  };
}
