using Intake.Core.Crypto;

namespace Intake.Core.Tests.Crypto;

public class PadmeTests
{
    [Theory]
    [InlineData(0, 1024)]
    [InlineData(8, 1024)]
    [InlineData(1024, 1024)]
    [InlineData(1025, 1088)]
    [InlineData(1100, 1152)]
    [InlineData(65535 + 8, 67584)]
    [InlineData(65536, 65536)]
    [InlineData(65544, 67584)]
    [InlineData(1_000_000, 1_015_808)]
    [InlineData(10_485_768, 10_747_904)]
    public void Framed_lengths_pad_to_the_documented_bucket(long framedLength, long bucket)
    {
        Assert.Equal(bucket, Padme.PaddedLength(framedLength));
        Assert.True(Padme.IsBucket(bucket));
    }

    [Fact]
    public void Padding_overhead_stays_below_twelve_percent_above_the_floor()
    {
        for (long length = 1025; length < 5_000_000; length = (length * 9 / 8) + 7)
        {
            long padded = Padme.PaddedLength(length);
            Assert.InRange(padded, length, length + (length * 12 / 100));
        }
    }

    [Theory]
    [InlineData(1023)]
    [InlineData(1089)]
    [InlineData(65537)]
    public void Lengths_that_are_not_buckets_are_recognised(long length) =>
        Assert.False(Padme.IsBucket(length));
}
