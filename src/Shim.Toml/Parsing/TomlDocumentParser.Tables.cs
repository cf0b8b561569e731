namespace Shim.Toml.Parsing;

// key = value and [headers]: where each lands, and every TOML 1.0 redefinition rule.
internal ref partial struct TomlDocumentParser
{
    /// <summary>key = value inside <paramref name="table"/> (a section or an inline table at depth <paramref name="depth"/>).</summary>
    private void ParseKeyValue(TomlTable table, int depth)
    {
        ParseKey();
        if (_pos >= _src.Length || _src[_pos] != (byte)'=')
            throw Error(_pos, $"expected '=' after key {KeyText(_keyParts.Count)}, found {Describe(_pos)}");
        _pos++;
        var parts = _keyParts.Count;
        if (depth + parts - 1 > MaxDepth)
            throw Error(_keyParts[0].Offset, $"key {KeyText(parts)} nests deeper than the limit of {MaxDepth} tables/arrays");
        var parent = table;
        for (var i = 0; i < parts - 1; i++)
        {
            var part = _keyParts[i];
            if (!parent.TryGetValue(part.Name, out var existing))
            {
                var created = new TomlTable(At(part.Offset), TomlTableOrigin.DottedKey);
                parent.Add(part.Name, created, created.Position);
                parent = created;
                continue;
            }
            if (existing is not TomlTable sub)
                throw Error(part.Offset, $"cannot use dotted key {KeyText(parts)}: {KeyText(i + 1)} is already {Describe(existing)} (defined at {parent.KeyPosition(part.Name)})");
            switch (sub.Origin)
            {
                case TomlTableOrigin.DottedKey:
                    break;
                case TomlTableOrigin.Implicit:
                    // A table only implied by a deeper [a.b.c] header becomes defined by these dotted keys.
                    sub.Define(TomlTableOrigin.DottedKey, At(part.Offset));
                    break;
                case TomlTableOrigin.Inline:
                    throw Error(part.Offset, $"cannot add {KeyText(parts)} to inline table {KeyText(i + 1)} (defined at {sub.Position}): inline tables are complete as written");
                default:
                    throw Error(part.Offset, $"cannot add {KeyText(parts)} with dotted keys: {KeyText(i + 1)} is a table defined by its own [header] at {sub.Position}; set the key under that header");
            }
            parent = sub;
        }
        var last = _keyParts[parts - 1];
        if (parent.TryGetValue(last.Name, out var previous))
            throw Error(last.Offset, $"key {KeyText(parts)} defined twice (first at {parent.KeyPosition(last.Name)}, as {Describe(previous)})");
        var keyPosition = At(last.Offset);
        SkipWhitespace();
        var value = ParseValue(depth + parts);
        parent.Add(last.Name, value, keyPosition);
    }

    /// <summary>[a.b] or [[a.b]]; returns the section table and its depth.</summary>
    private (TomlTable Section, int Depth) ParseHeader(TomlTable root)
    {
        var start = _pos;
        var arrayOfTables = _pos + 1 < _src.Length && _src[_pos + 1] == (byte)'[';
        _pos += arrayOfTables ? 2 : 1;
        ParseKey();
        var parts = _keyParts.Count;
        if (_pos >= _src.Length || _src[_pos] != (byte)']')
            throw Error(_pos, $"expected '{(arrayOfTables ? "]]" : "]")}' to close {HeaderText(arrayOfTables, parts)}, found {Describe(_pos)}");
        _pos++;
        if (arrayOfTables)
        {
            if (_pos >= _src.Length || _src[_pos] != (byte)']')
                throw Error(_pos, $"expected ']]' to close {HeaderText(arrayOfTables, parts)}, found {Describe(_pos)}");
            _pos++;
        }
        var headerPosition = At(start);
        var table = root;
        var depth = 0;
        for (var i = 0; i < parts - 1; i++)
        {
            var part = _keyParts[i];
            depth++;
            if (!table.TryGetValue(part.Name, out var existing))
            {
                var created = new TomlTable(At(part.Offset), TomlTableOrigin.Implicit);
                table.Add(part.Name, created, created.Position);
                table = created;
                continue;
            }
            switch (existing)
            {
                case TomlTable { Origin: TomlTableOrigin.Inline } inline:
                    throw Error(part.Offset, $"cannot extend inline table {KeyText(i + 1)} (defined at {inline.Position}) with header [{KeyText(parts)}]: inline tables are complete as written");
                case TomlTable sub:
                    table = sub;
                    break;
                case TomlArray { IsArrayOfTables: true } array:
                    depth++;
                    table = (TomlTable)array.Last;
                    break;
                default:
                    throw Error(part.Offset, $"header [{KeyText(parts)}] needs {KeyText(i + 1)} to be a table, but it is already {Describe(existing)} (defined at {table.KeyPosition(part.Name)})");
            }
        }
        depth++;
        if (depth > MaxDepth)
            throw Error(start, $"header [{KeyText(parts)}] nests deeper than the limit of {MaxDepth} tables/arrays");
        var lastPart = _keyParts[parts - 1];
        var keyPosition = At(lastPart.Offset);
        table.TryGetValue(lastPart.Name, out var current);
        if (arrayOfTables)
        {
            var element = new TomlTable(headerPosition, TomlTableOrigin.Header);
            switch (current)
            {
                case null:
                    var array = new TomlArray(headerPosition) { IsArrayOfTables = true };
                    array.Add(element);
                    table.Add(lastPart.Name, array, keyPosition);
                    break;
                case TomlArray { IsArrayOfTables: true } existingArray:
                    existingArray.Add(element);
                    break;
                case TomlArray staticArray:
                    throw Error(start, $"cannot append [[{KeyText(parts)}]] to the array value defined at {staticArray.Position}: arrays written as values are static");
                default:
                    throw Error(start, $"[[{KeyText(parts)}]] conflicts with {Describe(current)} defined at {table.KeyPosition(lastPart.Name)}");
            }
            return (element, depth + 1);
        }
        switch (current)
        {
            case null:
                var created = new TomlTable(headerPosition, TomlTableOrigin.Header);
                table.Add(lastPart.Name, created, keyPosition);
                return (created, depth);
            case TomlTable { Origin: TomlTableOrigin.Implicit } implicitTable:
                implicitTable.Define(TomlTableOrigin.Header, headerPosition);
                table.SetKeyPosition(lastPart.Name, keyPosition);
                return (implicitTable, depth);
            case TomlTable { Origin: TomlTableOrigin.Header } defined:
                throw Error(start, $"table [{KeyText(parts)}] defined twice (first at {defined.Position})");
            case TomlTable { Origin: TomlTableOrigin.DottedKey } dotted:
                throw Error(start, $"table [{KeyText(parts)}] was already defined by a dotted key at {dotted.Position}");
            case TomlTable inline:
                throw Error(start, $"table [{KeyText(parts)}] was already defined as an inline table at {inline.Position}");
            default:
                throw Error(start, $"table [{KeyText(parts)}] conflicts with {Describe(current)} defined at {table.KeyPosition(lastPart.Name)}");
        }
    }
}
