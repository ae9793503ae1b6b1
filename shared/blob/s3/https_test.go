package s3_test

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/vidiverse/vidiverse/shared/blob"
	blobs3 "github.com/vidiverse/vidiverse/shared/blob/s3"
)

// decodeAWSChunked decodes an unsigned aws-chunked body and returns its data
// and trailer headers; an error when the framing is cut short.
func decodeAWSChunked(r io.Reader) ([]byte, map[string]string, error) {
	br := bufio.NewReader(r)
	var data bytes.Buffer
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return nil, nil, fmt.Errorf("chunk header: %w", err)
		}
		n, err := strconv.ParseInt(strings.TrimSpace(line), 16, 64)
		if err != nil {
			return nil, nil, fmt.Errorf("chunk size %q: %w", line, err)
		}
		if n == 0 {
			break
		}
		if _, err := io.CopyN(&data, br, n); err != nil {
			return nil, nil, fmt.Errorf("chunk data: %w", err)
		}
		if crlf, err := br.ReadString('\n'); err != nil || crlf != "\r\n" {
			return nil, nil, fmt.Errorf("chunk end %q: %v", crlf, err)
		}
	}
	trailer := map[string]string{}
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return nil, nil, fmt.Errorf("trailer: %w", err)
		}
		if line == "\r\n" {
			return data.Bytes(), trailer, nil
		}
		k, v, _ := strings.Cut(strings.TrimSpace(line), ":")
		trailer[k] = v
	}
}

// TestPutOverHTTPSWithTrailingChecksum runs Put as production does, over
// TLS with the SDK's default checksum mode (a CRC32 trailer in aws-chunked
// framing), against a server that decodes the framing.
func TestPutOverHTTPSWithTrailingChecksum(t *testing.T) {
	type received struct {
		data    []byte
		trailer map[string]string
		err     error
	}
	var mu sync.Mutex
	var got []received
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var rec received
		if r.Header.Get("Content-Encoding") != "aws-chunked" || r.Header.Get("X-Amz-Content-Sha256") != "STREAMING-UNSIGNED-PAYLOAD-TRAILER" {
			rec.err = fmt.Errorf("not an unsigned aws-chunked body: %v", r.Header)
		} else {
			rec.data, rec.trailer, rec.err = decodeAWSChunked(r.Body)
		}
		if rec.err == nil && int64(len(rec.data)) != mustInt(r.Header.Get("X-Amz-Decoded-Content-Length")) {
			rec.err = fmt.Errorf("decoded %d bytes, header says %s", len(rec.data), r.Header.Get("X-Amz-Decoded-Content-Length"))
		}
		mu.Lock()
		got = append(got, rec)
		mu.Unlock()
		if rec.err != nil {
			s3Error(w, http.StatusBadRequest, "IncompleteBody")
			return
		}
		w.Header().Set("ETag", `"0123456789abcdef0123456789abcdef"`)
	}))
	defer srv.Close()
	client := s3.NewFromConfig(aws.Config{
		Region:                     "us-east-1",
		Credentials:                credentials.NewStaticCredentialsProvider("AKIDLOCAL", "local-secret", ""),
		HTTPClient:                 srv.Client(),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenSupported,
	}, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(srv.URL)
		o.UsePathStyle = true
	})
	s := blobs3.New(client, "bucket")

	for _, size := range []int{100, 3 << 20} { // in memory, streamed
		data := bytes.Repeat([]byte("abc"), size/3+1)[:size]
		mu.Lock()
		got = nil
		mu.Unlock()
		if err := s.Put(t.Context(), "k", plainReader{bytes.NewReader(data)}, int64(size), blob.PutOptions{}); err != nil {
			t.Fatalf("Put of %d bytes: %v", size, err)
		}
		var sum [4]byte
		binary.BigEndian.PutUint32(sum[:], crc32.ChecksumIEEE(data))
		mu.Lock()
		if len(got) != 1 || got[0].err != nil || !bytes.Equal(got[0].data, data) ||
			got[0].trailer["x-amz-checksum-crc32"] != base64.StdEncoding.EncodeToString(sum[:]) {
			t.Errorf("Put of %d bytes: server received %+v", size, got)
		}
		mu.Unlock()
	}

	// A streamed body one byte long never completes its framing.
	mu.Lock()
	got = nil
	mu.Unlock()
	size := int64(3 << 20)
	if err := s.Put(t.Context(), "k", plainReader{bytes.NewReader(make([]byte, size+1))}, size, blob.PutOptions{}); err == nil {
		t.Error("Put of a body one byte long: no error")
	}
	srv.Close() // waits for the handler
	if len(got) == 0 {
		t.Error("the wrong-length Put never reached the server; the check below would see nothing")
	}
	for _, rec := range got {
		if rec.err == nil {
			t.Errorf("a wrong-length Put reached the server whole (%d bytes)", len(rec.data))
		}
	}
}

func mustInt(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}
