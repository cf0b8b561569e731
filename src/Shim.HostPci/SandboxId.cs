namespace Shim.HostPci;

/// <summary>containerd identifier rules: [A-Za-z0-9][A-Za-z0-9_.-]*, at most 76 characters.</summary>
public static class SandboxId
{
    public static string Require(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 76 || !char.IsAsciiLetterOrDigit(id[0])
            || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
            throw new ArgumentException(
                $"'{PciAddress.Printable(id)}' is not a valid sandbox id: expected [A-Za-z0-9][A-Za-z0-9_.-]{{0,75}}", nameof(id));
        return id;
    }
}
