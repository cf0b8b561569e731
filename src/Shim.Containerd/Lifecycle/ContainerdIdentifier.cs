namespace Shim.Containerd.Lifecycle;

/// <summary>containerd <c>identifiers.Validate</c>: <c>^[A-Za-z0-9]+(?:[._-](?:[A-Za-z0-9]+))*$</c>, at most 76 characters (§9).</summary>
public static class ContainerdIdentifier
{
    public const int MaxLength = 76;

    public static bool IsValid(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxLength)
        {
            return false;
        }
        var previousWasSeparator = true; // the first character must be alphanumeric
        foreach (var c in value)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                previousWasSeparator = false;
            }
            else if (c is '.' or '_' or '-' && !previousWasSeparator)
            {
                previousWasSeparator = true;
            }
            else
            {
                return false;
            }
        }
        return !previousWasSeparator;
    }

    /// <exception cref="ShimUsageException">the value is not a containerd identifier.</exception>
    public static void Validate(string value, string what)
    {
        if (!IsValid(value))
        {
            throw new ShimUsageException(
                $"{what} '{value}' is not a valid containerd identifier: expected letters/digits separated by single '.', '_' or '-', at most {MaxLength} characters");
        }
    }
}
