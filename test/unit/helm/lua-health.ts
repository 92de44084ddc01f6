import fengari from 'fengari';

const { lua, lauxlib, lualib, to_luastring } = fengari;
type LuaState = ReturnType<typeof lauxlib.luaL_newstate>;

export interface Health {
  status: string;
  message: string | undefined;
}

/**
 * Runs an Argo CD health script the way Argo CD does: `obj` as a global, only the base and table
 * libraries loaded, the returned table read as `{status, message}`.
 */
export function runHealthCheck(script: string, obj: unknown): Health {
  const L = lauxlib.luaL_newstate();
  try {
    lauxlib.luaL_requiref(L, to_luastring('_G'), lualib.luaopen_base, 1);
    lauxlib.luaL_requiref(L, to_luastring(lualib.LUA_TABLIBNAME), lualib.luaopen_table, 1);
    lua.lua_pop(L, 2);
    push(L, obj);
    lua.lua_setglobal(L, to_luastring('obj'));
    if (lauxlib.luaL_loadstring(L, to_luastring(script)) !== lua.LUA_OK) {
      throw new Error(`Lua syntax error: ${lua.lua_tojsstring(L, -1)}`);
    }
    if (lua.lua_pcall(L, 0, 1, 0) !== lua.LUA_OK) throw new Error(`Lua error: ${lua.lua_tojsstring(L, -1)}`);
    if (lua.lua_type(L, -1) !== lua.LUA_TTABLE) throw new Error('the health script did not return a table');
    return { status: stringField(L, 'status') ?? '', message: stringField(L, 'message') };
  } finally {
    lua.lua_close(L);
  }
}

function stringField(L: LuaState, key: string): string | undefined {
  const type = lua.lua_getfield(L, -1, to_luastring(key));
  const value = type === lua.LUA_TSTRING ? lua.lua_tojsstring(L, -1) : undefined;
  lua.lua_pop(L, 1);
  return value;
}

/** Pushes a JSON value the way Argo CD converts objects for Lua: arrays become 1-based sequences. */
function push(L: LuaState, value: unknown): void {
  if (value === null || value === undefined) lua.lua_pushnil(L);
  else if (typeof value === 'boolean') lua.lua_pushboolean(L, value);
  else if (typeof value === 'number') {
    if (Number.isInteger(value)) lua.lua_pushinteger(L, value);
    else lua.lua_pushnumber(L, value);
  } else if (typeof value === 'string') lua.lua_pushliteral(L, value);
  else if (Array.isArray(value)) {
    lua.lua_newtable(L);
    value.forEach((item: unknown, i) => {
      push(L, item);
      lua.lua_rawseti(L, -2, i + 1);
    });
  } else if (typeof value === 'object') {
    lua.lua_newtable(L);
    for (const [key, item] of Object.entries(value)) {
      push(L, item);
      lua.lua_setfield(L, -2, to_luastring(key));
    }
  } else throw new Error(`cannot pass ${typeof value} to Lua`);
}
