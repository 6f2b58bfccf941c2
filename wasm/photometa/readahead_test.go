package photometa_test

import (
	"reflect"
	"testing"

	"altiup/wasm/photometa"
	"altiup/wasm/photometa/phototest"
)

// ahead is a file whose first bytes were read ahead.
type ahead struct {
	*phototest.File
	head []byte
}

func (a ahead) Head() []byte { return a.head }

// TestReadAhead: a Source with its head read ahead gives the Meta its
// bytes give, reads from the Source only past the head, and counts the
// head as read.
func TestReadAhead(t *testing.T) {
	for _, n := range phototest.Set() {
		want, wantErr := photometa.Read(&phototest.File{B: n.Bytes})
		for _, cut := range []int{0, 16, 100, 4096, photometa.FirstRead} {
			t.Run(n.Name, func(t *testing.T) {
				head := n.Bytes[:min(cut, len(n.Bytes))]
				src := &phototest.File{B: n.Bytes}
				got, err := photometa.Read(ahead{src, head})
				if (err == nil) != (wantErr == nil) || !reflect.DeepEqual(dump(got), dump(want)) || got.Format != want.Format {
					t.Errorf("head of %d: %+v, %v; want %+v, %v", cut, dump(got), err, dump(want), wantErr)
				}
				if got.BytesRead != src.Read()+int64(len(head)) {
					t.Errorf("head of %d: BytesRead %d, read %d past a head of %d", cut, got.BytesRead, src.Read(), len(head))
				}
				if len(head) >= len(n.Bytes) && src.Read() != 0 {
					t.Errorf("a head of the whole file, and %d bytes read again", src.Read())
				}
			})
		}
	}
}
