"""The launcher's free ports: the three servers of one stack never share a port."""

from scripts.stack import free_ports


def test_the_ports_of_one_stack_are_distinct() -> None:
    for _ in range(200):
        ports = free_ports(3)
        assert len(set(ports)) == 3, ports
        assert all(1024 <= port <= 65535 for port in ports)
