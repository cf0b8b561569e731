namespace Shim.Pipeline.Tests;

/// <summary>
/// The end-to-end classes run one after another and alone: each boots QEMU under TCG per container, and on two
/// loaded cores two of them at once would measure the machine rather than the shim.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EndToEndCollection
{
    public const string Name = "ctr run end to end";
}
