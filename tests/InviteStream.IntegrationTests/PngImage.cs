using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace InviteStream.IntegrationTests;

/// <summary>
/// A decoded PNG, as much of the format as a browser screenshot uses (8-bit RGB or RGBA, not
/// interlaced): enough to tell a rendered page from a blank one without an imaging package.
/// </summary>
internal sealed class PngImage
{
    private static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];

    private readonly byte[] _pixels;
    private readonly int _channels;

    private PngImage(int width, int height, int channels, byte[] pixels)
    {
        Width = width;
        Height = height;
        _channels = channels;
        _pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    public (byte R, byte G, byte B) this[int x, int y]
    {
        get
        {
            var at = ((y * Width) + x) * _channels;
            return (_pixels[at], _pixels[at + 1], _pixels[at + 2]);
        }
    }

    public IEnumerable<(byte R, byte G, byte B)> Pixels()
    {
        for (var at = 0; at < _pixels.Length; at += _channels)
        {
            yield return (_pixels[at], _pixels[at + 1], _pixels[at + 2]);
        }
    }

    public static PngImage Read(string path) => Decode(File.ReadAllBytes(path));

    public static PngImage Decode(byte[] png)
    {
        if (png.Length < Signature.Length || !png.AsSpan(0, Signature.Length).SequenceEqual(Signature))
        {
            throw new InvalidDataException("not a PNG: the signature is missing");
        }

        var (width, height, channels) = (0, 0, 0);
        using var compressed = new MemoryStream();
        for (var at = Signature.Length; at + 12 <= png.Length;)
        {
            var length = checked((int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at)));
            var type = Encoding.ASCII.GetString(png, at + 4, 4);
            var data = png.AsSpan(at + 8, length);
            switch (type)
            {
                case "IHDR":
                    width = checked((int)BinaryPrimitives.ReadUInt32BigEndian(data));
                    height = checked((int)BinaryPrimitives.ReadUInt32BigEndian(data[4..]));
                    var (bitDepth, colourType, interlace) = (data[8], data[9], data[12]);
                    channels = colourType switch
                    {
                        2 => 3,
                        6 => 4,
                        _ => throw new NotSupportedException($"PNG colour type {colourType}: only RGB (2) and RGBA (6) are decoded"),
                    };
                    if (bitDepth != 8 || interlace != 0)
                    {
                        throw new NotSupportedException($"PNG bit depth {bitDepth}, interlace {interlace}: only 8-bit, not interlaced, is decoded");
                    }

                    break;
                case "IDAT":
                    compressed.Write(data);
                    break;
                case "IEND":
                    return new PngImage(width, height, channels, Unfilter(compressed.ToArray(), width, height, channels));
            }

            at += 12 + length;
        }

        throw new InvalidDataException("not a PNG: no IEND chunk");
    }

    /// <summary>Every row starts with its filter type; each filter predicts a byte from its left, upper and upper-left neighbours.</summary>
    private static byte[] Unfilter(byte[] compressed, int width, int height, int channels)
    {
        var stride = width * channels;
        var filtered = new byte[(stride + 1) * height];
        using (var inflater = new ZLibStream(new MemoryStream(compressed), CompressionMode.Decompress))
        {
            inflater.ReadExactly(filtered);
        }

        var pixels = new byte[stride * height];
        for (var y = 0; y < height; y++)
        {
            var filter = filtered[y * (stride + 1)];
            var source = filtered.AsSpan((y * (stride + 1)) + 1, stride);
            var row = pixels.AsSpan(y * stride, stride);
            var above = y == 0 ? new byte[stride] : pixels.AsSpan((y - 1) * stride, stride);
            for (var i = 0; i < stride; i++)
            {
                var left = i >= channels ? row[i - channels] : 0;
                var up = above[i];
                var upLeft = i >= channels ? above[i - channels] : 0;
                var prediction = filter switch
                {
                    0 => 0,
                    1 => left,
                    2 => up,
                    3 => (left + up) / 2,
                    4 => Paeth(left, up, upLeft),
                    _ => throw new InvalidDataException($"PNG row {y}: unknown filter type {filter}"),
                };
                row[i] = (byte)(source[i] + prediction);
            }
        }

        return pixels;
    }

    private static int Paeth(int left, int up, int upLeft)
    {
        var estimate = left + up - upLeft;
        var (toLeft, toUp, toUpLeft) = (Math.Abs(estimate - left), Math.Abs(estimate - up), Math.Abs(estimate - upLeft));
        return toLeft <= toUp && toLeft <= toUpLeft ? left : toUp <= toUpLeft ? up : upLeft;
    }
}
