// argocd-health-judge runs an Argo CD Lua health script (the file named by its one argument) on
// each Kubernetes object given as JSON on stdin, in gopher-lua set up as Argo CD's util/lua sets it
// up for health checks, and prints the {status, message} Argo CD would take from it.
//
// As gitops-engine's GetResourceHealth does first: an object with a deletionTimestamp (and no
// Argo CD hook finalizer) is Progressing "Pending deletion" without running the script.
//
// As Argo CD does: no standard library but package, base and table, plus an "os" module reachable
// through require (Argo CD's safe subset has time and date; this one only time); a one-second
// deadline; the object, decoded from JSON by apimachinery, as the global `obj` (maps and arrays
// become tables, numbers Lua numbers); a returned table read as {status, message}, where a status
// outside Argo CD's health codes becomes Unknown and a nil return an empty status.
package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"time"

	lua "github.com/yuin/gopher-lua"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"rigbuild/judges/internal/input"
)

var healthCodes = map[string]bool{
	"Unknown": true, "Progressing": true, "Suspended": true, "Healthy": true, "Degraded": true, "Missing": true,
}

func main() {
	if len(os.Args) != 2 {
		input.Fail(fmt.Errorf("usage: %s <health.lua>  (objects as JSON on stdin)", os.Args[0]))
	}
	script, err := os.ReadFile(os.Args[1])
	if err != nil {
		input.Fail(err)
	}
	objects, err := input.Objects(os.Stdin)
	if err != nil {
		input.Fail(err)
	}
	verdicts := make([]input.Verdict, 0, len(objects))
	for _, obj := range objects {
		verdict, err := judge(string(script), obj)
		if err != nil {
			verdict = input.Verdict{Error: err.Error()}
		}
		verdicts = append(verdicts, verdict)
	}
	input.Print(verdicts)
}

const hookFinalizer = "argocd.argoproj.io/hook-finalizer"

func judge(script string, obj *unstructured.Unstructured) (input.Verdict, error) {
	if obj.GetDeletionTimestamp() != nil && !slices.Contains(obj.GetFinalizers(), hookFinalizer) {
		return input.Verdict{Status: "Progressing", Message: "Pending deletion"}, nil
	}
	l := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer l.Close()
	for name, open := range map[string]lua.LGFunction{
		lua.LoadLibName: lua.OpenPackage,
		lua.BaseLibName: lua.OpenBase,
		lua.TabLibName:  lua.OpenTable,
	} {
		if err := l.CallByParam(lua.P{Fn: l.NewFunction(open), NRet: 0, Protect: true}, lua.LString(name)); err != nil {
			return input.Verdict{}, err
		}
	}
	l.PreloadModule(lua.OsLibName, func(l *lua.LState) int {
		l.Push(l.SetFuncs(l.NewTable(), map[string]lua.LGFunction{
			"time": func(l *lua.LState) int {
				l.Push(lua.LNumber(time.Now().Unix()))
				return 1
			},
		}))
		return 1
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	l.SetContext(ctx)
	l.SetGlobal("obj", toLua(l, obj.Object))
	if err := l.DoString(script); err != nil {
		return input.Verdict{}, err
	}
	returned := l.Get(-1)
	switch value := returned.(type) {
	case *lua.LNilType:
		return input.Verdict{}, nil
	case *lua.LTable:
		status, statusOK := stringField(value, "status")
		message, messageOK := stringField(value, "message")
		if !statusOK || !messageOK {
			return input.Verdict{}, fmt.Errorf("status and message must be strings, got %s and %s",
				value.RawGetString("status").Type(), value.RawGetString("message").Type())
		}
		if !healthCodes[status] {
			return input.Verdict{Status: "Unknown", Message: "Lua returned an invalid health status"}, nil
		}
		return input.Verdict{Status: status, Message: message}, nil
	default:
		return input.Verdict{}, fmt.Errorf("expect table output from Lua script, not %s", returned.Type())
	}
}

// stringField reads a string field of the returned table; an absent field reads as "".
func stringField(table *lua.LTable, key string) (string, bool) {
	switch value := table.RawGetString(key).(type) {
	case *lua.LNilType:
		return "", true
	case lua.LString:
		return string(value), true
	default:
		return "", false
	}
}

func toLua(l *lua.LState, value any) lua.LValue {
	switch v := value.(type) {
	case bool:
		return lua.LBool(v)
	case string:
		return lua.LString(v)
	case int64:
		return lua.LNumber(v)
	case float64:
		return lua.LNumber(v)
	case []any:
		table := l.CreateTable(len(v), 0)
		for _, item := range v {
			table.Append(toLua(l, item))
		}
		return table
	case map[string]any:
		table := l.CreateTable(0, len(v))
		for key, item := range v {
			table.RawSetH(lua.LString(key), toLua(l, item))
		}
		return table
	default:
		return lua.LNil
	}
}
