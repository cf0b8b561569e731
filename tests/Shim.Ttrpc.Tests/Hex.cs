namespace Shim.Ttrpc.Tests;

/// <summary>Golden vectors are written as in the reference: space-separated hex, quoted ASCII allowed.</summary>
internal static class Hex
{
    /// <summary>Parses "0a 17 \"text\" 12 ..." into bytes; quoted text stands for its ASCII bytes.</summary>
    public static byte[] Parse(string text)
    {
        var bytes = new List<byte>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '"')
            {
                var end = text.IndexOf('"', i + 1);
                bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(text[(i + 1)..end]));
                i = end + 1;
            }
            else
            {
                bytes.Add(Convert.ToByte(text.Substring(i, 2), 16));
                i += 2;
            }
        }
        return [.. bytes];
    }

    public static string Format(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
