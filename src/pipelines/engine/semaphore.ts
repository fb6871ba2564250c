/**
 * Slots shared by every run this server drives (the global step limit): taken without waiting, and
 * on each release the owner is told, so drivers with ready steps can try again.
 */
export class Slots {
  private used = 0;

  constructor(
    readonly limit: number,
    private readonly onFree: () => void,
  ) {}

  take(): boolean {
    if (this.used >= this.limit) return false;
    this.used++;
    return true;
  }

  give(): void {
    this.used--;
    this.onFree();
  }
}
