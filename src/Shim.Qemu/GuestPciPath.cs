namespace Shim.Qemu;

/// <summary>
/// Where a device sits as the guest sees it, firmware-independent: the chain of PCI slot numbers from <c>pcie.0</c>,
/// two hex digits each, joined by '/' (Kata's form: root port at slot 3, device at slot 0 → <c>03/00</c>).
/// </summary>
public sealed record GuestPciPath(IReadOnlyList<int> Slots)
{
    public override string ToString() => string.Join('/', Slots.Select(s => s.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));

    public bool Equals(GuestPciPath? other) => other is not null && Slots.SequenceEqual(other.Slots);

    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}
