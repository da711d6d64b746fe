package io.safetyguard.cli.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CsvTest {
    @Test
    void splitsQuotedAndUnquotedCells() {
        assertThat(Csv.split("a, b ,\"c, d\",\"say \"\"hi\"\"\",")).containsExactly("a", "b", "c, d", "say \"hi\"", "");
        assertThat(Csv.split("")).containsExactly("");
        assertThat(Csv.split("\" keep spaces \"")).containsExactly(" keep spaces ");
    }

    @Test
    void anUnclosedQuoteIsAnError() {
        assertThatThrownBy(() -> Csv.split("\"open,x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("quote");
    }
}
