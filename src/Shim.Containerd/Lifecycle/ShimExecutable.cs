using System.Reflection;

namespace Shim.Containerd.Lifecycle;

/// <summary>How to run this binary again (for the daemon): the apphost, or <c>dotnet &lt;dll&gt;</c> when run through the host.</summary>
public sealed record ShimExecutable(string Path, IReadOnlyList<string> LeadingArguments)
{
    public static ShimExecutable Current()
    {
        var processPath = Environment.ProcessPath
            ?? throw new InvalidOperationException("cannot tell this process's executable path (Environment.ProcessPath is null)");
        var name = System.IO.Path.GetFileNameWithoutExtension(processPath);
        if (name == "dotnet")
        {
            var dll = Assembly.GetEntryAssembly()?.Location;
            if (string.IsNullOrEmpty(dll))
            {
                throw new InvalidOperationException("running under the dotnet host but the entry assembly has no location");
            }
            return new ShimExecutable(processPath, [dll]);
        }
        return new ShimExecutable(processPath, []);
    }
}
