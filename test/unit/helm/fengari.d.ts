// The part of fengari's C-like Lua API the health-check tests use (the package ships no types).
declare module 'fengari' {
  type LuaState = object & { readonly __luaState: unique symbol };
  type LuaString = Uint8Array;
  type LuaCFunction = (L: LuaState) => number;

  interface Fengari {
    to_luastring: (s: string) => LuaString;

    lua: {
      LUA_OK: number;
      LUA_TTABLE: number;
      LUA_TSTRING: number;
      lua_close(L: LuaState): void;
      lua_pop(L: LuaState, n: number): void;
      lua_setglobal(L: LuaState, name: LuaString): void;
      lua_pcall(L: LuaState, nargs: number, nresults: number, msgh: number): number;
      lua_newtable(L: LuaState): void;
      lua_pushnil(L: LuaState): void;
      lua_pushboolean(L: LuaState, b: boolean): void;
      lua_pushinteger(L: LuaState, n: number): void;
      lua_pushnumber(L: LuaState, n: number): void;
      lua_pushliteral(L: LuaState, s: string): void;
      lua_setfield(L: LuaState, index: number, key: LuaString): void;
      lua_rawseti(L: LuaState, index: number, n: number): void;
      lua_getfield(L: LuaState, index: number, key: LuaString): number;
      lua_type(L: LuaState, index: number): number;
      lua_tojsstring(L: LuaState, index: number): string;
    };

    lauxlib: {
      luaL_newstate(): LuaState;
      luaL_loadstring(L: LuaState, s: LuaString): number;
      luaL_requiref(L: LuaState, name: LuaString, open: LuaCFunction, global: number): void;
    };

    lualib: {
      LUA_TABLIBNAME: string;
      luaopen_base: LuaCFunction;
      luaopen_table: LuaCFunction;
    };
  }

  const fengari: Fengari;
  export = fengari;
}
