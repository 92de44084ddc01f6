// Package input reads the Kubernetes objects a judge is asked about: JSON values on stdin, each
// either one object or an array of objects (so one object per line and a JSON array both work).
package input

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Objects decodes every object on r the way a client reading the apiserver does: through
// apimachinery's unstructured JSON decoding (whole numbers become int64, others float64).
func Objects(r io.Reader) ([]*unstructured.Unstructured, error) {
	decoder := json.NewDecoder(r)
	var objects []*unstructured.Unstructured
	for {
		var raw json.RawMessage
		if err := decoder.Decode(&raw); errors.Is(err, io.EOF) {
			return objects, nil
		} else if err != nil {
			return nil, fmt.Errorf("reading JSON: %w", err)
		}
		var items []json.RawMessage
		if len(raw) > 0 && raw[0] == '[' {
			if err := json.Unmarshal(raw, &items); err != nil {
				return nil, fmt.Errorf("reading JSON array: %w", err)
			}
		} else {
			items = []json.RawMessage{raw}
		}
		for _, item := range items {
			obj := &unstructured.Unstructured{}
			if err := obj.UnmarshalJSON(item); err != nil {
				return nil, fmt.Errorf("decoding object %d: %w", len(objects), err)
			}
			objects = append(objects, obj)
		}
	}
}

// Verdict is what a judge prints for one object; Error is set when the judge itself failed on it.
type Verdict struct {
	Status  string `json:"status"`
	Message string `json:"message"`
	Error   string `json:"error,omitempty"`
}

// Print writes the verdicts as one JSON array, in the order of the objects.
func Print(verdicts []Verdict) {
	if verdicts == nil {
		verdicts = []Verdict{}
	}
	encoder := json.NewEncoder(os.Stdout)
	if err := encoder.Encode(verdicts); err != nil {
		Fail(err)
	}
}

// Fail reports an error that concerns the whole run and exits with status 2.
func Fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(2)
}
