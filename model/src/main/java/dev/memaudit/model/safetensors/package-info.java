/**
 * Reading and writing the safetensors format: an 8-byte little-endian header length N, N bytes of
 * UTF-8 JSON mapping each tensor name to {@code {dtype, shape, data_offsets: [begin, end)}} (byte
 * offsets relative to the end of the header) plus an optional {@code __metadata__} map of strings,
 * then the raw little-endian tensor bytes. The reader validates every header entry against the file
 * before any byte is used: offsets inside the data area, size equal to shape × dtype width, no two
 * tensors overlapping.
 */
package dev.memaudit.model.safetensors;
