package privacy_test

import (
	"os"
	"testing"

	"aman/internal/testapp"
)

func TestMain(m *testing.M) { os.Exit(testapp.Run(m)) }
