package clari

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Size of the generated benchmark export: 8,000 users with 5 fields over
// 13 weekly time frames give 520,000 entries, about 104 MB of JSON.
const (
	benchUsers  = 8000
	benchFields = 5
	benchFrames = 13
)

// benchExport is the generated export, built once per process.
var benchExport = sync.OnceValue(func() []byte {
	return generateExport(benchUsers, benchFields, benchFrames)
})

// generateExport writes a deterministic export in the shape Clari sends:
// ids as strings, about 1 in 10 values null and 1 in 20 a decimal string.
func generateExport(users, fields, frames int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	b.WriteString(`{"timePeriods":[{"timePeriodId":"2025_Q3","startDate":"2025-08-01",` +
		`"endDate":"2025-10-31","label":"Q3","year":2025,"crmId":"0260b000000XyZaAAK","type":"quarter"}],`)

	b.WriteString(`"timeFrames":[`)
	start := time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC)
	for f := range frames {
		sep(&b, f)
		s := start.AddDate(0, 0, 7*f)
		fmt.Fprintf(&b, `{"timeFrameId":"%d","startDate":"%s","endDate":"%s"}`,
			f, s.Format(time.DateOnly), s.AddDate(0, 0, 6).Format(time.DateOnly))
	}

	fieldNames := []string{"commit", "best_case", "pipeline", "most_likely", "quota", "upside"}
	b.WriteString(`],"fields":[`)
	for f := range fields {
		sep(&b, f)
		fmt.Fprintf(&b, `{"fieldId":"%s","fieldName":"%s","fieldType":"forecast"}`, fieldNames[f], fieldNames[f])
	}

	b.WriteString(`],"users":[`)
	for u := range users {
		sep(&b, u)
		fmt.Fprintf(&b, `{"userId":"%d","crmId":"005%015d","email":"rep.%d@example.com","name":"Rep Number %d",`+
			`"hierarchyId":"%d","hierarchyName":"Sales Rep - Region %d","parentHierarchyId":"%d",`+
			`"parentHierarchyName":"VP Sales %d","scopeId":"%d::REP"}`,
			100000+u, rng.Int64N(1e15), u, u, 400+u%50, u%50, 300+u%10, u%10, 100000+u)
	}

	b.WriteString(`],"entries":[`)
	n := 0
	for u := range users {
		for f := range fields {
			for tf := range frames {
				sep(&b, n)
				n++
				writeBenchEntry(&b, rng, 100000+u, fieldNames[f], tf)
			}
		}
	}
	b.WriteString("]}\n")
	return b.Bytes()
}

func writeBenchEntry(b *bytes.Buffer, rng *rand.Rand, user int, field string, frame int) {
	value := strconv.FormatInt(rng.Int64N(5e8), 10) + "." + strconv.Itoa(rng.IntN(100))
	switch r := rng.IntN(20); {
	case r < 2:
		value = "null"
	case r == 2:
		value = `"` + value + `"`
	}
	fmt.Fprintf(b, `{"timePeriodId":"2025_Q3","timeFrameId":"%d","userId":"%d","fieldId":"%s",`+
		`"forecastValue":%s,"currency":"USD","isUpdated":%t,"updatedBy":"%d","updatedOn":%d}`,
		frame, user, field, value, rng.IntN(3) == 0, user, 1754000000000+rng.Int64N(1e10))
}

func sep(b *bytes.Buffer, i int) {
	if i > 0 {
		b.WriteByte(',')
	}
}

func BenchmarkDecode(b *testing.B) {
	data := benchExport()
	b.Logf("export: %d bytes", len(data))
	decoders := []struct {
		name   string
		decode func([]byte) (*Export, error)
	}{
		{"DecodeBytes", DecodeBytes},
		{"Decode", func(data []byte) (*Export, error) { return Decode(bytes.NewReader(data)) }},
		{"encoding-json", func(data []byte) (*Export, error) {
			var e Export
			return &e, json.Unmarshal(data, &e)
		}},
	}
	for _, dec := range decoders {
		b.Run(dec.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			cpuStart := processCPU()
			for b.Loop() {
				if _, err := dec.decode(data); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()

			// CPU time counts the garbage collector's threads too, and
			// unlike wall time it does not grow when other processes
			// share the cores.
			if cpu := (processCPU() - cpuStart).Seconds() / float64(b.N); cpu > 0 {
				b.ReportMetric(float64(len(data))/1e6/cpu, "MB/cpu-s")
			}
			peak, kept := measureHeap(data, dec.decode)
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(kept)/(1<<20), "kept-MiB")
		})
	}
}

// measureHeap decodes data once and returns the peak of live heap objects
// above the heap before the call, sampled every 200 µs, and the heap still
// in use by the result after a garbage collection.
func measureHeap(data []byte, decode func([]byte) (*Export, error)) (peak, retained uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}

	runtime.GC()
	base := read()
	done := make(chan struct{})
	var maxSeen uint64
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(200 * time.Microsecond)
		defer tick.Stop()
		for {
			maxSeen = max(maxSeen, read())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})

	e, err := decode(data)
	close(done)
	wg.Wait()
	runtime.GC()
	after := read()
	runtime.KeepAlive(e)
	if err != nil {
		panic(err)
	}
	return max(maxSeen, after) - base, after - base
}
