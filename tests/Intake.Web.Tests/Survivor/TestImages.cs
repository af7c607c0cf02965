using System.Buffers.Binary;
using System.Text;

namespace Intake.Web.Tests.Survivor;

/// <summary>
/// A photo as a phone would leave it: a tiny valid JPEG (8×8 grey, baseline, built byte by byte) carrying an APP1
/// Exif segment with a description and a GPS IFD (39°54'27.12"N 116°23'29.40"E).
/// </summary>
public static class TestImages
{
    public const string ExifMarker = "INTAKE-EXIF-MARKER";

    /// <summary>The GPS latitude rationals (39/1, 54/1, 2712/100) exactly as they sit in the Exif block.</summary>
    public static byte[] LatitudeBytes => Rationals((39, 1), (54, 1), (2712, 100));

    public static byte[] JpegWithGps()
    {
        var exif = ExifWithGps();
        using var jpeg = new MemoryStream();
        jpeg.Write([0xFF, 0xD8]);
        Segment(jpeg, 0xE1, [.. "Exif\0\0"u8, .. exif]);
        Segment(jpeg, 0xDB, [0x00, .. Enumerable.Repeat((byte)1, 64)]); // quantisation table 0: all ones
        Segment(jpeg, 0xC0, [8, 0, 8, 0, 8, 1, 1, 0x11, 0]); // 8-bit, 8×8, one component
        // Huffman tables with a single one-bit code each: DC category 0, AC end-of-block.
        Segment(jpeg, 0xC4, [0x00, 1, .. new byte[15], 0x00]);
        Segment(jpeg, 0xC4, [0x10, 1, .. new byte[15], 0x00]);
        Segment(jpeg, 0xDA, [1, 1, 0x00, 0, 63, 0]);
        jpeg.Write([0x3F]); // DC diff 0 ("0"), EOB ("0"), padded with ones
        jpeg.Write([0xFF, 0xD9]);
        return jpeg.ToArray();
    }

    private static void Segment(Stream output, byte marker, byte[] data)
    {
        output.Write([0xFF, marker]);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(length, (ushort)(data.Length + 2));
        output.Write(length);
        output.Write(data);
    }

    // Big-endian TIFF: header(8) | IFD0 at 8 (2 entries) | GPS IFD at 38 (4 entries) | latitude at 92 | longitude at 116 | text at 140.
    private static byte[] ExifWithGps()
    {
        var description = Encoding.ASCII.GetBytes(ExifMarker + "\0");
        using var tiff = new MemoryStream();
        tiff.Write("MM\0*"u8);
        U32(tiff, 8);
        U16(tiff, 2);
        Entry(tiff, 0x010E, 2, (uint)description.Length, 140); // ImageDescription
        Entry(tiff, 0x8825, 4, 1, 38);                          // GPSInfo IFD pointer
        U32(tiff, 0);
        U16(tiff, 4);
        Entry(tiff, 0x0001, 2, 2, 0x4E00_0000);                 // GPSLatitudeRef "N"
        Entry(tiff, 0x0002, 5, 3, 92);                          // GPSLatitude
        Entry(tiff, 0x0003, 2, 2, 0x4500_0000);                 // GPSLongitudeRef "E"
        Entry(tiff, 0x0004, 5, 3, 116);                         // GPSLongitude
        U32(tiff, 0);
        tiff.Write(LatitudeBytes);
        tiff.Write(Rationals((116, 1), (23, 1), (2940, 100)));
        tiff.Write(description);
        return tiff.ToArray();
    }

    private static byte[] Rationals(params (uint Numerator, uint Denominator)[] values)
    {
        using var bytes = new MemoryStream();
        foreach (var (numerator, denominator) in values)
        {
            U32(bytes, numerator);
            U32(bytes, denominator);
        }
        return bytes.ToArray();
    }

    private static void Entry(Stream output, ushort tag, ushort type, uint count, uint valueOrOffset)
    {
        U16(output, tag);
        U16(output, type);
        U32(output, count);
        U32(output, valueOrOffset);
    }

    private static void U16(Stream output, ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        output.Write(bytes);
    }

    private static void U32(Stream output, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        output.Write(bytes);
    }
}
