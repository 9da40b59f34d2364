package config

import (
	"fmt"
	"math/big"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// maxElements bounds the collections range() and setproduct() make: a
// configuration that asks for a billion elements would take the machine's
// memory before it failed. A library has thousands of objects, not
// millions.
const maxElements = 100_000

// boundedRange is range() that refuses more than maxElements numbers.
var boundedRange = guard(stdlib.RangeFunc, func(args []cty.Value) error {
	nums := make([]*big.Float, len(args))
	for i, a := range args {
		if !a.IsKnown() || a.IsNull() || a.Type() != cty.Number {
			return nil // the function itself reports these
		}
		nums[i] = a.AsBigFloat()
	}
	start, end, step := big.NewFloat(0), big.NewFloat(0), big.NewFloat(1)
	switch len(nums) {
	case 1:
		end = nums[0]
	case 2:
		start, end = nums[0], nums[1]
	case 3:
		start, end, step = nums[0], nums[1], nums[2]
	default:
		return nil
	}
	if step.Sign() == 0 {
		return nil
	}
	n := new(big.Float).Quo(new(big.Float).Sub(end, start), step)
	if n.Cmp(big.NewFloat(maxElements)) > 0 {
		return fmt.Errorf("range would make more than %d numbers", maxElements)
	}
	return nil
})

// boundedSetProduct is setproduct() that refuses a product of more than
// maxElements elements.
var boundedSetProduct = guard(stdlib.SetProductFunc, func(args []cty.Value) error {
	total := 1.0
	for _, a := range args {
		a, _ = a.UnmarkDeep()
		if !a.IsKnown() || a.IsNull() || !a.CanIterateElements() {
			return nil
		}
		total *= float64(a.LengthInt())
		if total > maxElements {
			return fmt.Errorf("setproduct would make more than %d elements", maxElements)
		}
	}
	return nil
})

// guard runs check on a call's arguments before f.
func guard(f function.Function, check func([]cty.Value) error) function.Function {
	return function.New(&function.Spec{
		Description: f.Description(),
		Params:      f.Params(),
		VarParam:    f.VarParam(),
		Type:        func(args []cty.Value) (cty.Type, error) { return f.ReturnTypeForValues(args) },
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if err := check(args); err != nil {
				return cty.DynamicVal, err
			}
			return f.Call(args)
		},
	})
}
