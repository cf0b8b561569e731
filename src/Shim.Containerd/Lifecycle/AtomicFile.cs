namespace Shim.Containerd.Lifecycle;

/// <summary>Writes a small file so readers see either the old or the whole new content (temp + rename).</summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string content)
    {
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllText(temp, content);
        File.Move(temp, path, overwrite: true);
    }
}
