using Intake.Core.Crypto;

namespace Intake.Core.Tests.Crypto;

public class SurvivorReceiptTests
{
    private static readonly SurvivorReceipt Known = SurvivorReceipt.FromSecret(Convert.FromHexString("00112233445566778899AABBCCDDEEFF"[..30]));

    [Fact]
    public void A_receipt_is_six_groups_of_four_and_a_check_character()
    {
        string text = SurvivorReceipt.Generate().ToString();
        Assert.Matches("^([0-9A-HJKMNP-TV-Z]{4}-){6}[0-9A-HJKMNP-TV-Z]$", text);
    }

    [Fact]
    public void A_receipt_round_trips_through_its_text()
    {
        for (int i = 0; i < 200; i++)
        {
            SurvivorReceipt receipt = SurvivorReceipt.Generate();
            Assert.True(SurvivorReceipt.TryParse(receipt.ToString(), out SurvivorReceipt? parsed, out _));
            Assert.Equal(receipt.Secret.ToArray(), parsed!.Secret.ToArray());
        }
    }

    [Fact]
    public void Parsing_tolerates_case_spacing_full_width_and_look_alikes()
    {
        string canonical = Known.ToString();
        string sloppy = " " + canonical.ToLowerInvariant().Replace("-", " ", StringComparison.Ordinal).Replace('1', 'l').Replace('0', 'O') + "\n";
        string fullWidth = string.Concat(canonical.Select(c => c == '-' ? '\u2014' : (char)(c + 0xFEE0)));

        foreach (string typed in new[] { sloppy, fullWidth, canonical.Replace("-", "", StringComparison.Ordinal) })
        {
            Assert.True(SurvivorReceipt.TryParse(typed, out SurvivorReceipt? parsed, out ReceiptParseError error), $"{typed}: {error}");
            Assert.Equal(Known.Secret.ToArray(), parsed!.Secret.ToArray());
        }
    }

    [Fact]
    public void Every_single_character_typo_is_caught_before_any_request()
    {
        string compact = Known.ToString().Replace("-", "", StringComparison.Ordinal);
        for (int i = 0; i < compact.Length; i++)
        {
            foreach (char replacement in SurvivorReceipt.Alphabet.Where(c => c != compact[i]))
            {
                string typo = compact[..i] + replacement + compact[(i + 1)..];
                Assert.False(SurvivorReceipt.TryParse(typo, out _, out ReceiptParseError error));
                Assert.Equal(ReceiptParseError.CheckCharacterMismatch, error);
            }
        }
    }

    [Fact]
    public void Adjacent_transpositions_are_caught_except_zero_and_z()
    {
        var random = new Random(7);
        for (int n = 0; n < 300; n++)
        {
            string compact = SurvivorReceipt.Generate().ToString().Replace("-", "", StringComparison.Ordinal);
            int i = random.Next(compact.Length - 1);
            if (compact[i] == compact[i + 1] || (compact[i] is '0' or 'Z' && compact[i + 1] is '0' or 'Z'))
            {
                continue;
            }

            string swapped = compact[..i] + compact[i + 1] + compact[i] + compact[(i + 2)..];
            Assert.False(SurvivorReceipt.TryParse(swapped, out _, out _));
        }
    }

    [Theory]
    [InlineData("", ReceiptParseError.Empty)]
    [InlineData("  - ", ReceiptParseError.Empty)]
    [InlineData("ABCD-EFGH-U", ReceiptParseError.InvalidCharacter)]
    [InlineData("ABCD-EFGH", ReceiptParseError.WrongLength)]
    [InlineData("ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-23", ReceiptParseError.WrongLength)]
    [InlineData("ABCD-EFGH-JKMN-PQRS-TVWX-YZ01", ReceiptParseError.MissingCheckCharacter)]
    public void Malformed_codes_are_refused_with_a_reason(string typed, ReceiptParseError expected)
    {
        Assert.False(SurvivorReceipt.TryParse(typed, out SurvivorReceipt? receipt, out ReceiptParseError error));
        Assert.Null(receipt);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Derivation_is_deterministic_and_separates_lookup_id_from_vault_key()
    {
        using ReceiptSecrets first = ReceiptSecrets.Derive(Known);
        using ReceiptSecrets second = ReceiptSecrets.Derive(SurvivorReceipt.FromSecret(Known.Secret));
        using ReceiptSecrets other = ReceiptSecrets.Derive(SurvivorReceipt.Generate());

        Assert.True(ReceiptSecrets.LookupIdsEqual(first.LookupId, second.LookupId));
        Assert.Equal(first.VaultKey, second.VaultKey);
        Assert.NotEqual(first.LookupId, first.VaultKey);
        Assert.False(ReceiptSecrets.LookupIdsEqual(first.LookupId, other.LookupId));
    }

    [Fact]
    public void The_vault_returns_her_keys_only_to_her_receipt()
    {
        using ReceiptSecrets secrets = ReceiptSecrets.Derive(Known);
        using ReceiptSecrets stranger = ReceiptSecrets.Derive(SurvivorReceipt.Generate());
        (byte[] replyPrivate, _) = CryptoTestData.KeyPair("survivor");
        byte[] contentKey = EnvelopeSealer.GenerateContentKey();
        byte[] vault = ReceiptVault.Seal(secrets.VaultKey, replyPrivate, contentKey);

        (byte[] openedReply, byte[] openedContent) = ReceiptVault.Open(secrets.VaultKey, vault);
        Assert.Equal(replyPrivate, openedReply);
        Assert.Equal(contentKey, openedContent);
        Assert.Equal(ReceiptVault.SealedLength, vault.Length);
        Assert.Throws<ReceiptVaultException>(() => ReceiptVault.Open(stranger.VaultKey, vault));

        for (int i = 0; i < vault.Length; i++)
        {
            vault[i] ^= 0x80;
            Assert.Throws<ReceiptVaultException>(() => ReceiptVault.Open(secrets.VaultKey, vault));
            vault[i] ^= 0x80;
        }
    }
}
