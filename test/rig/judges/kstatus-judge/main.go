// kstatus-judge prints, for each Kubernetes object given as JSON on stdin, the status that
// sigs.k8s.io/cli-utils' kstatus computes for it: the library Flux and kpt wait with.
package main

import (
	"os"

	"sigs.k8s.io/cli-utils/pkg/kstatus/status"

	"rigbuild/judges/internal/input"
)

func main() {
	objects, err := input.Objects(os.Stdin)
	if err != nil {
		input.Fail(err)
	}
	verdicts := make([]input.Verdict, 0, len(objects))
	for _, obj := range objects {
		result, err := status.Compute(obj)
		if err != nil {
			verdicts = append(verdicts, input.Verdict{Error: err.Error()})
			continue
		}
		verdicts = append(verdicts, input.Verdict{Status: string(result.Status), Message: result.Message})
	}
	input.Print(verdicts)
}
