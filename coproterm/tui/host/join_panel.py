"""The join panel on the facilitator's screen: how the room joins (the command, the phone page,
the ssh line and its key, the code, this machine's other addresses), in full before anyone has
joined and folded to a line after, and the QR code of the way in shown first."""

from __future__ import annotations

from rich.text import Text

from coproterm.tui.host.facilitator import FacilitatorScreen
from coproterm.tui.host.joining import YOURNAME, host_of
from coproterm.tui.host.qr_screen import QRScreen


class JoinPanelScreen(FacilitatorScreen):
    """A facilitator's screen with the join panel (``#join-how``) in it."""

    def join_command(self) -> str:
        """What a participant types to join (the first address they can reach, and the code when it is needed)."""
        view = self.hub.view
        return self.joining.command(view.join_code if view.code_required else None)

    def _join_line(self) -> Text:
        """The join instructions folded to a line, once people have joined (more lines only where it must wrap).

        Each part stays whole: a command split over two lines is one nobody can type, and the
        SSH key's fingerprint stays in sight for people to check (the README asks them to).
        """
        t = self.hub.t
        parts = [Text.assemble((t("Join: "), "bold"), (self.join_command(), "bold"))]
        if (web := self.joining.web_link(None)) is not None:
            parts.append(Text(web, "bold"))
        if (ssh := self.ssh_line()) is not None:
            parts.append(Text(ssh, "bold"))
        view = self.hub.view
        if view.join_code and not view.code_required:
            parts.append(Text.assemble((t("  ·  code ").strip(" ·") + " ", "dim"), (view.join_code, "bold")))
        if self.joining.ssh_command is not None and self.joining.ssh_key:
            parts.append(Text(t("key {fingerprint}", fingerprint=self.joining.ssh_key), "dim"))
        if others := self.joining.others:
            hosts = ", ".join(host_of(other) for other in others)
            parts.append(Text(t("also {addresses} (a)", addresses=hosts), "dim"))
        room = self.query_one("#join-how").size.width or max(20, self.size.width - 20)
        text = Text()
        line = 0
        for part in parts:
            if text.cell_len:
                if line + 5 + part.cell_len > room:
                    text.append("\n")
                    line = 0
                else:
                    text.append("  ·  ", "dim")
                    line += 5
            text.append_text(part)
            line += part.cell_len
        return text

    def _join_text(self) -> Text:
        t = self.hub.t
        text = Text.assemble((t("Join:  "), "bold"), (self.join_command(), "bold reverse"))
        view = self.hub.view
        web = self.joining.web_link(None)
        if web is not None:
            text.append("\n" + t("Phone: "), "bold")
            text.append(web, "bold")
        if (ssh := self.ssh_line()) is not None:
            text.append("\nssh:   ", "bold")
            text.append(ssh, "bold")
            key = t("key {fingerprint}", fingerprint=self.joining.ssh_key) if self.joining.ssh_key else ""
            text.append(f"\n       {key}" if key else "", "dim")
        if view.join_code:
            text.append("\n" + t("Code:  "), "bold")
            text.append(" ".join(view.join_code), "bold")
            text.append(t("  (needed to join)") if view.code_required else t("  (c: QR code)"), "dim")
        if others := self.joining.others:
            hosts = ", ".join(host_of(other) for other in others)
            text.append(
                "\n" + t("This machine's other addresses: {addresses} (a: show another)", addresses=hosts), "dim"
            )
        return text

    def ssh_line(self) -> str | None:
        """``ssh -p PORT YOURNAME@ADDRESS`` in the dashboard's language, for the address shown (None: no SSH)."""
        return self.joining.ssh_line(self.hub.t(YOURNAME))

    def action_show_qr(self) -> None:
        t = self.hub.t
        warning = (
            t("Only this machine can reach this address: start the hub with --host 0.0.0.0 for the room.")
            if self.joining.local_only
            else None
        )
        web = self.joining.web_link(self.hub.view.join_code or None, self.hub.lang.html_lang)
        if web is not None:  # a phone's camera opens the page: nothing to install
            others = [self.ssh_line(), self.join_command()]
            caption = f"{web}\n" + t("   or   ").join(other for other in others if other)
            if self.joining.ssh_command is not None and self.joining.ssh_key:
                caption += "\n" + t("key {fingerprint}", fingerprint=self.joining.ssh_key)
            self.app.push_screen(QRScreen(web, caption=caption, warning=warning))
            return
        link = self.joining.ssh_link()
        if link is not None:  # a phone's SSH app opens an ssh:// link by itself
            caption = t("   or   ").join([self.ssh_line() or "", self.join_command()])
            if self.joining.ssh_key:
                caption += "\n" + t("key {fingerprint}", fingerprint=self.joining.ssh_key)
            self.app.push_screen(QRScreen(link, caption=caption, warning=warning))
        else:
            self.app.push_screen(QRScreen(self.join_command(), warning=warning))
